/* kw_ftpbounce.c — ftpbounce; FTP PORT command pointing at a host other than the client. */
#include "kw.h"

SN_KW_FLAG_DEFINE(ftpbounce, "ftpbounce",
                  "FTP PORT command pointing at a host other than the client");
