/* hubkey.c — load or create the hub's SM2 key pair (PEM files; the private one 0600, created
 * exclusively, refused when group/other can access it). See audit.h. */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads the private key file through one descriptor (no stat/open race): regular file, no
 * group/other permission bits, at most GM_PEM_MAX bytes. */
static int load_private(const char *path, struct gm_sm2_key **keyp)
{
    struct stat st;
    char *buf = NULL;
    size_t len = 0;
    int fd, rc;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? CS_AGAIN : CS_EIO;
    if (fstat(fd, &st) != 0) {
        rc = CS_EIO;
        goto out_close;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        rc = CS_EINVAL; /* not a file, or readable/writable by group or others */
        goto out_close;
    }
    if (st.st_size > GM_PEM_MAX) {
        rc = CS_ELIMIT;
        goto out_close;
    }
    buf = cs_malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = CS_ENOMEM;
        goto out_close;
    }
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    if (len == 0) {
        rc = CS_EINVAL;
        goto out_free;
    }
    rc = gm_sm2_key_load_pem(buf, len, keyp);
    if (rc == CS_OK && !gm_sm2_key_has_private(*keyp)) {
        gm_sm2_key_free(*keyp);
        *keyp = NULL;
        rc = CS_EINVAL;
    }
out_free:
    gm_cleanse(buf, len);
    cs_free(buf);
out_close:
    close(fd);
    return rc;
}

/* Creates path exclusively (0600) with a fresh key's PEM. CS_AGAIN when it appeared
 * meanwhile (another process won the race: load theirs). */
static int create_private(const char *path, struct gm_sm2_key **keyp)
{
    struct gm_sm2_key *key = NULL;
    char *pem = NULL;
    size_t len = 0, off = 0;
    int fd, rc;

    rc = gm_sm2_key_generate(&key);
    if (rc != CS_OK)
        return rc;
    rc = gm_sm2_key_save_private_pem(key, &pem, &len);
    if (rc != CS_OK)
        goto out_key;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = errno == EEXIST ? CS_AGAIN : CS_EIO;
        goto out_pem;
    }
    while (off < len) {
        ssize_t n = write(fd, pem + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    rc = off == len && fsync(fd) == 0 ? CS_OK : CS_EIO;
    if (close(fd) != 0)
        rc = CS_EIO;
    if (rc != CS_OK) {
        unlink(path);
        goto out_pem;
    }
    *keyp = key;
    key = NULL;
out_pem:
    gm_cleanse(pem, len);
    cs_free(pem);
out_key:
    gm_sm2_key_free(key);
    return rc;
}

int hub_key_load_or_create(const char *priv_path, const char *pub_path, struct gm_sm2_key **keyp,
                           bool *created)
{
    struct gm_sm2_key *key = NULL;
    bool made = false;
    int rc;

    if (created)
        *created = false;
    if (!priv_path || !keyp)
        return CS_EINVAL;
    *keyp = NULL;
    rc = load_private(priv_path, &key);
    if (rc == CS_AGAIN) {
        rc = create_private(priv_path, &key);
        if (rc == CS_OK)
            made = true;
        else if (rc == CS_AGAIN)
            rc = load_private(priv_path, &key);
    }
    if (rc == CS_AGAIN) /* created and deleted under our feet */
        rc = CS_EIO;
    if (rc != CS_OK)
        return rc;
    if (pub_path && (made || access(pub_path, F_OK) != 0)) {
        rc = gm_sm2_key_save_public_pem_file(key, pub_path);
        if (rc != CS_OK) {
            gm_sm2_key_free(key);
            return rc;
        }
    }
    *keyp = key;
    if (created)
        *created = made;
    return CS_OK;
}
