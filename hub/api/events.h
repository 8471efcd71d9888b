/* events.h — helpers of the event routes shared with the CLI's import and the eve.json
 * tailer. */
#ifndef HUB_API_EVENTS_H
#define HUB_API_EVENTS_H

#include "../../lib/cs_json.h"
#include "../norm/event.h"
#include "../norm/json.h"
#include "../store/store.h"

/* A batch id: 1..64 characters of A-Z a-z 0-9 . _ : - (the signature header's alphabet). */
bool hub_batch_id_ok(const char *s);
/* Maps a normalised event to the store's columns (views into e; ts 0 becomes now_us). */
void hub_event_to_store(const struct hub_event *e, int64_t now_us, struct hub_store_event *o);
/* RFC 3339 ("2026-06-12T03:23:01.5Z", offsets allowed) or integer µs since the epoch. */
bool hub_parse_time(const char *s, int64_t *us);
/* Writes one stored event as the API returns it (doc: scratch for checking the record). */
void hub_json_event(struct cs_json *j, struct hub_json_doc *doc, const struct hub_event_row *r);

#endif
