/* detect.c — the hooks the pipeline shares with the detection engine (detect.h). */
#include "detect.h"

void (*sn_detect_app_cb)(struct sn_worker *w, struct sn_flow *f, int dir, void *tx,
                         const char *proto);
