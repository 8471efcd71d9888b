/* event.c — format names of the event model (see event.h). */
#include "event.h"

static const char *const fmt_names[HUB_FMT_COUNT] = {
    [HUB_FMT_NONE] = "none",
    [HUB_FMT_CITYSOC_EVE] = "citysoc-eve",
    [HUB_FMT_SURICATA_EVE] = "suricata-eve",
    [HUB_FMT_ZEEK_TSV] = "zeek-tsv",
    [HUB_FMT_ZEEK_JSON] = "zeek-json",
    [HUB_FMT_SYSLOG] = "syslog",
    [HUB_FMT_CEF] = "cef",
};

const char *hub_fmt_name(enum hub_fmt f)
{
    if ((int)f < 0 || f >= HUB_FMT_COUNT)
        return "none";
    return fmt_names[f];
}

enum hub_fmt hub_fmt_parse(const char *s, size_t n)
{
    if (!s)
        return HUB_FMT_NONE;
    for (int i = 1; i < HUB_FMT_COUNT; i++) {
        if (strlen(fmt_names[i]) == n && memcmp(fmt_names[i], s, n) == 0)
            return (enum hub_fmt)i;
    }
    if (n == 3 && memcmp(s, "eve", 3) == 0)
        return HUB_FMT_CITYSOC_EVE;
    return HUB_FMT_NONE;
}
