/* kw_dotprefix.c — transform dotprefix: prepend a '.' to the buffer (domain matching). */
#include "kw.h"

SN_KW_TRANSFORM_DEFINE(dotprefix, "dotprefix",
                       "transform: prepend a '.' to the buffer (domain matching)");
