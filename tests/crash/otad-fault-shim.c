/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TEST ONLY: an LD_PRELOAD library that makes otad fail the way a device fails,
 * without a line of test code in the daemon.  It wraps the libc calls that make
 * otad's writes durable (rename, unlink), the socket reads of the downloads (recv)
 * and write(2), and acts only inside the directories the test names:
 *
 *   OTAD_FAULT_ROOTS   colon-separated absolute directories (the state directory,
 *                      the sysroot's boot directory); nothing outside them is touched
 *   OTAD_FAULT_TRACE   a file: every point passed is appended as "KIND NAME COUNT"
 *                      (e.g. "rename state.json 3": the third rename onto
 *                      ROOT/state.json), and "recv - BYTES" at the end of each read
 *   OTAD_FAULT_AT      the point where otad is killed with SIGKILL, "WHEN KIND NAME
 *                      COUNT": WHEN is "before" or "after" the call, "trunc" (after
 *                      it, the renamed file is cut to 0 bytes first: a power cut that
 *                      kept the rename but not the data) or "torn" (before it, the
 *                      temporary file is cut in half: the directory as a power cut in
 *                      the middle of the write leaves it); "at recv - BYTES" kills once
 *                      that many bytes came from TCP sockets
 *   OTAD_FAULT_ENOSPC  a file: while it exists, write(2) to files in the roots fails
 *                      with ENOSPC (OTAD_FAULT_ERRNO=EIO for an I/O error instead)
 *
 * The environment variables are removed at load, so the tools otad runs
 * (fw_setenv, systemctl) are not affected.
 */
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_ROOTS  8
#define MAX_NAMES  512
#define NAME_LEN   256

static char roots[MAX_ROOTS][PATH_MAX];
static int n_roots;
static char trace_path[PATH_MAX];
static char enospc_path[PATH_MAX];
static int fault_errno = ENOSPC;
static char at_when[16], at_kind[16], at_name[NAME_LEN];
static unsigned long long at_count;
static int armed;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char kind[16];
	char name[NAME_LEN];
	unsigned long long count;
} seen[MAX_NAMES];
static int n_seen;
static unsigned long long recv_bytes;

static void
copy_env (const char *name, char *out, size_t len)
{
	const char *v = getenv (name);
	if (v != NULL)
		snprintf (out, len, "%s", v);
}

__attribute__ ((constructor)) static void
shim_init (void)
{
	char buf[PATH_MAX * MAX_ROOTS] = "";
	const char *at = getenv ("OTAD_FAULT_AT");
	const char *err = getenv ("OTAD_FAULT_ERRNO");

	copy_env ("OTAD_FAULT_ROOTS", buf, sizeof (buf));
	for (char *save = NULL, *tok = strtok_r (buf, ":", &save); tok != NULL && n_roots < MAX_ROOTS;
	     tok = strtok_r (NULL, ":", &save)) {
		if (realpath (tok, roots[n_roots]) == NULL)
			snprintf (roots[n_roots], PATH_MAX, "%s", tok);
		n_roots++;
	}
	copy_env ("OTAD_FAULT_TRACE", trace_path, sizeof (trace_path));
	copy_env ("OTAD_FAULT_ENOSPC", enospc_path, sizeof (enospc_path));
	if (err != NULL && strcmp (err, "EIO") == 0)
		fault_errno = EIO;
	if (at != NULL && sscanf (at, "%15s %15s %255s %llu", at_when, at_kind, at_name,
				  &at_count) == 4)
		armed = 1;
	unsetenv ("OTAD_FAULT_ROOTS");
	unsetenv ("OTAD_FAULT_TRACE");
	unsetenv ("OTAD_FAULT_AT");
	unsetenv ("OTAD_FAULT_ENOSPC");
	unsetenv ("OTAD_FAULT_ERRNO");
	unsetenv ("LD_PRELOAD");
}

static void
die_now (void)
{
	/* no atexit handlers, no flushing: as a power cut would */
	kill (getpid (), SIGKILL);
	_exit (137);
}

/* the absolute path of (dirfd, name) without following the last component */
static int
resolve (int dirfd, const char *name, char *out, size_t len)
{
	char dir[PATH_MAX];
	char link[64];
	ssize_t n;

	if (name[0] == '/')
		return snprintf (out, len, "%s", name) >= (int)len ? -1 : 0;
	if (dirfd == AT_FDCWD) {
		if (getcwd (dir, sizeof (dir)) == NULL)
			return -1;
	} else {
		snprintf (link, sizeof (link), "/proc/self/fd/%d", dirfd);
		n = readlink (link, dir, sizeof (dir) - 1);
		if (n < 0)
			return -1;
		dir[n] = '\0';
	}
	if (snprintf (out, len, "%s/%s", dir, name) >= (int)len)
		return -1;
	return 0;
}

/* the path relative to the root it is in, or NULL */
static const char *
in_roots (const char *path)
{
	for (int i = 0; i < n_roots; i++) {
		size_t l = strlen (roots[i]);
		if (strncmp (path, roots[i], l) == 0 && path[l] == '/')
			return path + l + 1;
	}
	return NULL;
}

static void
trace (const char *kind, const char *name, unsigned long long count)
{
	char line[NAME_LEN + 64];
	int fd;

	if (trace_path[0] == '\0')
		return;
	snprintf (line, sizeof (line), "%s %s %llu\n", kind, name, count);
	fd = open (trace_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write (fd, line, strlen (line)) < 0) {
		/* nothing to do: the trace is best effort */
	}
	close (fd);
}

/* counts the point; returns its count */
static unsigned long long
pass (const char *kind, const char *name)
{
	unsigned long long count = 0;

	pthread_mutex_lock (&lock);
	for (int i = 0; i < n_seen; i++) {
		if (strcmp (seen[i].kind, kind) == 0 && strcmp (seen[i].name, name) == 0) {
			count = ++seen[i].count;
			break;
		}
	}
	if (count == 0 && n_seen < MAX_NAMES) {
		snprintf (seen[n_seen].kind, sizeof (seen[n_seen].kind), "%s", kind);
		snprintf (seen[n_seen].name, sizeof (seen[n_seen].name), "%s", name);
		count = seen[n_seen].count = 1;
		n_seen++;
	}
	trace (kind, name, count);
	pthread_mutex_unlock (&lock);
	return count;
}

static int
is_point (const char *when, const char *kind, const char *name, unsigned long long count)
{
	return armed && strcmp (at_when, when) == 0 && strcmp (at_kind, kind) == 0 &&
	       strcmp (at_name, name) == 0 && at_count == count;
}

static void
cut (const char *path, int half)
{
	struct stat st;

	if (stat (path, &st) == 0 && truncate (path, half ? st.st_size / 2 : 0) != 0) {
		/* the kill follows anyway */
	}
	sync ();
}

/* before a durable change of @dest (and @src, the temporary file of a rename) */
static unsigned long long
before (const char *kind, const char *src, const char *dest, const char **out_rel)
{
	const char *rel = in_roots (dest);
	unsigned long long count;

	*out_rel = rel;
	if (rel == NULL)
		return 0;
	count = pass (kind, rel);
	if (is_point ("before", kind, rel, count))
		die_now ();
	if (src != NULL && is_point ("torn", kind, rel, count)) {
		cut (src, 1);
		die_now ();
	}
	return count;
}

static void
after (const char *kind, const char *dest, const char *rel, unsigned long long count, int rc)
{
	if (rel == NULL || rc != 0)
		return;
	if (is_point ("after", kind, rel, count))
		die_now ();
	if (is_point ("trunc", kind, rel, count)) {
		cut (dest, 0);
		die_now ();
	}
}

int
renameat (int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static int (*real) (int, const char *, int, const char *);
	char src[PATH_MAX], dest[PATH_MAX];
	const char *rel = NULL;
	unsigned long long count = 0;
	int rc;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "renameat");
	if (n_roots > 0 && resolve (olddirfd, oldpath, src, sizeof (src)) == 0 &&
	    resolve (newdirfd, newpath, dest, sizeof (dest)) == 0)
		count = before ("rename", src, dest, &rel);
	rc = real (olddirfd, oldpath, newdirfd, newpath);
	if (count > 0)
		after ("rename", dest, rel, count, rc);
	return rc;
}

int
rename (const char *oldpath, const char *newpath)
{
	return renameat (AT_FDCWD, oldpath, AT_FDCWD, newpath);
}

int
renameat2 (int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
	   unsigned int flags)
{
	static int (*real) (int, const char *, int, const char *, unsigned int);
	char src[PATH_MAX], dest[PATH_MAX];
	const char *rel = NULL;
	unsigned long long count = 0;
	int rc;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "renameat2");
	if (n_roots > 0 && resolve (olddirfd, oldpath, src, sizeof (src)) == 0 &&
	    resolve (newdirfd, newpath, dest, sizeof (dest)) == 0)
		count = before ("rename", src, dest, &rel);
	rc = real (olddirfd, oldpath, newdirfd, newpath, flags);
	if (count > 0)
		after ("rename", dest, rel, count, rc);
	return rc;
}

int
unlinkat (int dirfd, const char *pathname, int flags)
{
	static int (*real) (int, const char *, int);
	char path[PATH_MAX];
	const char *rel = NULL;
	unsigned long long count = 0;
	int rc;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "unlinkat");
	/* removing a leftover temporary file is no step of the update */
	if (n_roots > 0 && resolve (dirfd, pathname, path, sizeof (path)) == 0 &&
	    strstr (path, ".tmp") == NULL && (flags & AT_REMOVEDIR) == 0 &&
	    access (path, F_OK) == 0)
		count = before ("unlink", NULL, path, &rel);
	rc = real (dirfd, pathname, flags);
	if (count > 0 && is_point ("after", "unlink", rel, count) && rc == 0)
		die_now ();
	return rc;
}

int
unlink (const char *pathname)
{
	return unlinkat (AT_FDCWD, pathname, 0);
}

/* -- bytes of the downloads ------------------------------------------------------- */

static void
received (int fd, ssize_t n)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof (ss);
	unsigned long long total;

	if (n <= 0 || (!armed && trace_path[0] == '\0'))
		return;
	if (getsockname (fd, (struct sockaddr *)&ss, &len) != 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	total = __atomic_add_fetch (&recv_bytes, (unsigned long long)n, __ATOMIC_SEQ_CST);
	if (armed && strcmp (at_kind, "recv") == 0 && total >= at_count &&
	    total - (unsigned long long)n < at_count)
		die_now ();
	if (trace_path[0] != '\0') {
		/* one line per 16 KiB is enough to place the kill points */
		unsigned long long before_n = total - (unsigned long long)n;
		if (before_n / 16384 != total / 16384) {
			pthread_mutex_lock (&lock);
			trace ("recv", "-", total);
			pthread_mutex_unlock (&lock);
		}
	}
}

ssize_t
recv (int fd, void *buf, size_t len, int flags)
{
	static ssize_t (*real) (int, void *, size_t, int);
	ssize_t n;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "recv");
	n = real (fd, buf, len, flags);
	received (fd, n);
	return n;
}

ssize_t
recvfrom (int fd, void *buf, size_t len, int flags, struct sockaddr *addr, socklen_t *alen)
{
	static ssize_t (*real) (int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t n;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "recvfrom");
	n = real (fd, buf, len, flags, addr, alen);
	received (fd, n);
	return n;
}

ssize_t
recvmsg (int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real) (int, struct msghdr *, int);
	ssize_t n;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "recvmsg");
	n = real (fd, msg, flags);
	received (fd, n);
	return n;
}

/* -- a full (or failing) state disk ------------------------------------------------ */

static int
disk_full (void)
{
	static time_t checked;
	static int full;
	struct timespec now;

	if (enospc_path[0] == '\0')
		return 0;
	clock_gettime (CLOCK_MONOTONIC, &now);
	if (now.tv_sec != checked) {
		full = access (enospc_path, F_OK) == 0;
		checked = now.tv_sec;
	}
	return full;
}

ssize_t
write (int fd, const void *buf, size_t count)
{
	static ssize_t (*real) (int, const void *, size_t);
	char link[64], path[PATH_MAX];
	ssize_t n;

	if (real == NULL)
		real = dlsym (RTLD_NEXT, "write");
	if (count > 0 && disk_full ()) {
		snprintf (link, sizeof (link), "/proc/self/fd/%d", fd);
		n = readlink (link, path, sizeof (path) - 1);
		if (n > 0) {
			path[n] = '\0';
			if (in_roots (path) != NULL) {
				errno = fault_errno;
				return -1;
			}
		}
	}
	return real (fd, buf, count);
}
