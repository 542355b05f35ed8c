/* bench/imap_floor: the transport floor for an IMAP header sync. Logs in over
 * a plain socket, selects the mailbox and issues one UID FETCH 1:* of the
 * header fields ebb fetches, discarding the bytes; prints seconds and bytes.
 * usage: imap_floor HOST PORT USER PASSWORD [MAILBOX] */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int send_all(int fd, const char *s)
{
	size_t len = strlen(s);
	while (len) {
		ssize_t n = send(fd, s, len, 0);
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until a line that starts with "TAG " and returns the first letter
 * of its status ('O' for OK), counting the bytes. The data is not parsed:
 * seeded mail has no line that starts with the tag. What follows that
 * letter on the line is dropped; the server sends nothing more unasked. */
static int wait_tag(int fd, const char *tag, unsigned long long *bytes)
{
	static char buf[1 << 16];
	size_t taglen = strlen(tag);
	char start[64];           /* the first taglen + 2 bytes of a line */
	size_t nstart = 0;
	int collecting = 1;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n <= 0)
			return -1;
		*bytes += (unsigned long long)n;
		for (ssize_t i = 0; i < n; i++) {
			if (collecting) {
				start[nstart++] = buf[i];
				if (nstart == taglen + 2) {
					collecting = 0;
					if (!memcmp(start, tag, taglen) && start[taglen] == ' ')
						return start[taglen + 1];
				}
			}
			if (buf[i] == '\n') {
				collecting = 1;
				nstart = 0;
			}
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: imap_floor HOST PORT USER PASSWORD [MAILBOX]\n");
		return 2;
	}
	const char *mailbox = argc > 5 ? argv[5] : "INBOX";
	double t0 = now_s();
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai)) {
		fprintf(stderr, "imap_floor: cannot resolve %s\n", argv[1]);
		return 1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		fprintf(stderr, "imap_floor: cannot connect\n");
		return 1;
	}
	freeaddrinfo(ai);
	unsigned long long bytes = 0;
	char cmd[1024];
	/* The greeting is one line, as is every answer before the FETCH. */
	if (wait_tag(fd, "*", &bytes) < 0)
		return 1;
	snprintf(cmd, sizeof cmd, "f1 LOGIN \"%s\" \"%s\"\r\n", argv[3], argv[4]);
	if (send_all(fd, cmd) || wait_tag(fd, "f1", &bytes) != 'O') {
		fprintf(stderr, "imap_floor: login failed\n");
		return 1;
	}
	snprintf(cmd, sizeof cmd, "f2 SELECT \"%s\"\r\n", mailbox);
	if (send_all(fd, cmd) || wait_tag(fd, "f2", &bytes) != 'O') {
		fprintf(stderr, "imap_floor: select failed\n");
		return 1;
	}
	double t1 = now_s();
	unsigned long long before = bytes;
	if (send_all(fd, "f3 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS "
		     "(FROM TO CC SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES LIST-ID "
		     "CONTENT-TYPE)])\r\n") ||
	    wait_tag(fd, "f3", &bytes) != 'O') {
		fprintf(stderr, "imap_floor: fetch failed\n");
		return 1;
	}
	double t2 = now_s();
	send_all(fd, "f4 LOGOUT\r\n");
	close(fd);
	printf("floor: %.3f s in all, fetch %.3f s, %llu bytes\n", t2 - t0, t2 - t1,
	       bytes - before);
	return 0;
}
