/* norm.h — normalisers: one source record (a line) → one struct hub_event.
 *
 * A struct hub_norm carries what a stream of records needs between lines: the format, the
 * arena the events' strings go to, the Zeek #fields/#types header seen so far, limits and
 * counters. Make one per input stream (one ingest batch, one tailed file); it belongs to
 * one thread. Usage:
 *
 *     struct hub_norm n;
 *     hub_norm_init(&n, HUB_FMT_SURICATA_EVE, &arena);
 *     for each line: rc = hub_norm_line(&n, line, len, lineno, &ev, &err);
 *         rc == 1: ev is filled; rc == 0: the line was a header/comment/blank (no event);
 *         rc < 0: err says why ("line 12: ..."), the counters say how often; go on.
 *     hub_norm_free(&n);
 *
 * Errors never stop the stream: one bad line does not reject the others. No function here
 * aborts on input. */
#ifndef HUB_NORM_NORM_H
#define HUB_NORM_NORM_H

#include "../../lib/cs_json.h"
#include "arena.h"
#include "event.h"
#include "json.h"

#define HUB_NORM_MAX_LINE (1u << 20) /* default longest record accepted: 1 MiB */
#define HUB_NORM_MAX_DEPTH 64        /* default deepest JSON nesting accepted */
#define HUB_ZEEK_MAX_FIELDS 128

/* Per-stream counters (monotonic; never reset by the normaliser). */
struct hub_norm_counters {
    uint64_t lines;     /* every line seen, including headers and blanks */
    uint64_t events;    /* events produced */
    uint64_t skipped;   /* headers, comments, blank lines */
    uint64_t errors;    /* lines rejected (sum of the ones below and others) */
    uint64_t err_json;  /* malformed JSON / UTF-8 */
    uint64_t err_limit; /* over the size or depth limit */
    uint64_t err_field; /* a mapped field has the wrong type or value */
    uint64_t err_format; /* not the announced format (no CEF header, bad syslog PRI, ...) */
    uint64_t err_nomem; /* arena or allocation failure */
};

struct hub_norm {
    enum hub_fmt fmt;
    struct hub_arena *arena; /* borrowed: events' strings go here */
    size_t max_line;         /* 0: HUB_NORM_MAX_LINE */
    int max_depth;           /* 0: HUB_NORM_MAX_DEPTH */
    bool keep_norm;          /* build ev->norm (default true) */
    struct hub_norm_counters c;

    /* Zeek TSV header state (owned; freed by hub_norm_free). */
    struct {
        char *path;      /* #path */
        char sep;        /* #separator (default \t) */
        char *set_sep;   /* #set_separator */
        char *empty;     /* #empty_field */
        char *unset;     /* #unset_field */
        int nfields;
        char *fields[HUB_ZEEK_MAX_FIELDS];
        char *types[HUB_ZEEK_MAX_FIELDS];
    } zeek;

    int64_t now;    /* µs; year for RFC 3164 stamps without one (0: the clock at init) */

    /* Owned scratch, reused across lines. */
    struct hub_json_doc doc; /* the current JSON record's tokens */
    struct cs_json out;      /* the normalised JSON being built */
};

/* Sets up a stream of `fmt` records whose strings go to `arena` (borrowed, must outlive
 * every event). Allocates nothing. */
void hub_norm_init(struct hub_norm *n, enum hub_fmt fmt, struct hub_arena *arena);
/* Frees what the stream owns (not the arena, not the events). */
void hub_norm_free(struct hub_norm *n);

/* Normalises one record of `len` bytes (no line terminator; a trailing \r is dropped).
 * `lineno` is the record's 1-based line for messages and ev->line.
 * Returns 1 when `ev` was filled, 0 when the line carried no event (blank, Zeek header or
 * comment), <0 (CS_EINVAL, CS_ELIMIT, CS_ENOMEM) on a bad record with `err` filled
 * ("line N: ...", err->line = N, err->col = 1-based byte offset when known). `ev` is
 * undefined after an error. `err` may be NULL. */
int hub_norm_line(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                  struct hub_event *ev, struct cs_err *err);

/* The per-format entry points behind hub_norm_line (same contract). */
int hub_norm_eve(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                 struct hub_event *ev, struct cs_err *err);
int hub_norm_zeek(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                  struct hub_event *ev, struct cs_err *err);
int hub_norm_syslog(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                    struct hub_event *ev, struct cs_err *err);
int hub_norm_cef(struct hub_norm *n, const char *line, size_t len, uint32_t lineno,
                 struct hub_event *ev, struct cs_err *err);

/* Parses an IPv4 or IPv6 address text; false (and family 0) if it is not one. */
bool hub_ip_parse(const char *s, size_t n, struct hub_ip *ip);

#endif
