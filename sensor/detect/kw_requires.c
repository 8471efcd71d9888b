/* kw_requires.c — requires: feature X, version >= 7.0.3 < 8 | >= 8.0.1;
 *
 * Suricata 7.0.3's rule requirement keyword: a rule whose requirements this engine does not
 * meet is not loaded (it is counted as skipped with the reason, not as a broken rule).
 * Requirements are separated by commas and must all hold:
 *   feature NAME        one of the features below;
 *   version EXPR        EXPR is alternatives separated by '|', each a list of comparisons
 *                       "<op> V" (op: >=, >, <=, <, =) that must all hold; V is 1 to 3 numbers
 *                       separated by dots (missing parts are 0).
 * The engine presents itself as the Suricata version whose rule language and EVE schema it
 * follows (SN_KW_REQUIRES_VERSION). An unknown requirement is not met. */
#include "kw.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#define SN_KW_REQUIRES_VERSION_MAJOR 8
#define SN_KW_REQUIRES_VERSION_MINOR 0
#define SN_KW_REQUIRES_VERSION_PATCH 0

/* Features of Suricata's `requires` this sensor has. */
static const char *const features[] = {"ja3", "ja4"};

static int unmet(struct sn_kw_ctx *c, const char *what)
{
    cs_err_set(c->err, SN_RULE_EUNSUPPORTED, 0, c->col, "requirement not met: %s", what);
    return SN_RULE_EUNSUPPORTED;
}

/* Parses "8", "7.0", "7.0.3" at *s; advances. */
static bool parse_ver(const char **s, long v[3])
{
    const char *p = *s;
    v[0] = v[1] = v[2] = 0;
    for (int i = 0; i < 3; i++) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return false;
        v[i] = strtol(p, &end, 10);
        if (v[i] < 0 || v[i] > 100000)
            return false;
        p = end;
        if (*p != '.' || i == 2)
            break;
        p++;
    }
    *s = p;
    return true;
}

static int ver_cmp(const long a[3], const long b[3])
{
    for (int i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* One alternative: comparisons, all must hold. -1 on syntax error, else 0/1. */
static int alt_holds(const char *s, const char *end)
{
    static const long me[3] = {SN_KW_REQUIRES_VERSION_MAJOR, SN_KW_REQUIRES_VERSION_MINOR,
                               SN_KW_REQUIRES_VERSION_PATCH};
    int ok = 1, n = 0;

    for (;;) {
        char op[3] = {0};
        long v[3];
        int c;
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (s >= end)
            break;
        if (*s == '>' || *s == '<' || *s == '=') {
            op[0] = *s++;
            if (s < end && *s == '=')
                op[1] = *s++;
        } else {
            return -1;
        }
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (!parse_ver(&s, v) || s > end)
            return -1;
        c = ver_cmp(me, v);
        if (strcmp(op, ">=") == 0)
            ok &= c >= 0;
        else if (strcmp(op, ">") == 0)
            ok &= c > 0;
        else if (strcmp(op, "<=") == 0)
            ok &= c <= 0;
        else if (strcmp(op, "<") == 0)
            ok &= c < 0;
        else if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0)
            ok &= c == 0;
        else
            return -1;
        n++;
    }
    return n ? ok : -1;
}

static int requires_setup(struct sn_kw_ctx *c, const char *opt)
{
    char buf[512], *parts[16];
    int n = sn_kw_split(opt, buf, sizeof(buf), parts, 16);

    if (n <= 0)
        return sn_kw_error(c, "invalid 'requires' value");
    for (int i = 0; i < n; i++) {
        char *p = parts[i], *arg;
        size_t kl = strcspn(p, " \t");
        arg = p + kl;
        while (isspace((unsigned char)*arg))
            arg++;
        if (kl == 7 && strncmp(p, "feature", 7) == 0) {
            bool have = false;
            if (!*arg)
                return sn_kw_error(c, "'requires: feature' needs a name");
            for (unsigned k = 0; k < CS_ARRAY_LEN(features); k++)
                have |= strcmp(arg, features[k]) == 0;
            if (!have) {
                char what[96];
                snprintf(what, sizeof(what), "feature %.64s", arg);
                return unmet(c, what);
            }
        } else if (kl == 7 && strncmp(p, "version", 7) == 0) {
            int any = 0;
            const char *s = arg;
            for (;;) {
                const char *bar = strchr(s, '|');
                const char *end = bar ? bar : s + strlen(s);
                int h = alt_holds(s, end);
                if (h < 0)
                    return sn_kw_error(c, "invalid version requirement '%s'", arg);
                any |= h;
                if (!bar)
                    break;
                s = bar + 1;
            }
            if (!any) {
                char what[96];
                snprintf(what, sizeof(what), "version %.64s", arg);
                return unmet(c, what);
            }
        } else {
            char what[96];
            snprintf(what, sizeof(what), "unknown requirement '%.32s'", p);
            return unmet(c, what);
        }
    }
    return CS_OK;
}

const struct sn_kw sn_kw_requires = {
    .name = "requires",
    .desc = "engine requirements (feature X, version >= V); rules that need more are skipped",
    .flags = SN_KW_NEEDS_OPT,
    .setup = requires_setup,
};
