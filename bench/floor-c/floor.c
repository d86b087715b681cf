/*
 * floor-c: the least any client can do to time a stream, in C (bench/client-overhead.js
 * --clients floor-c). epoll over N raw HTTP/1.1 keep-alive connections to 127.0.0.1, a closed
 * loop of requests read from a file, each read stamped with CLOCK_MONOTONIC (the clock of
 * bench/exact-server.js and of llmbench: dist/src/clock.js is CLOCK_MONOTONIC in ms) and its
 * token events counted by searching the read for the exact server's token bytes. No HTTP or SSE
 * parsing, no JSON parsing. Sends follow the Node floor's policy: reads first, then at most 8
 * queued sends per loop turn.
 *
 *   floor-c PORT PATH REQUESTS_FILE WARMUP TOKEN_PATTERN OUT_JSON
 *
 * REQUESTS_FILE: one request a line, `id<TAB>json body`; the first WARMUP lines are the warm-up
 * round (one per connection, so WARMUP is also the number of connections), the rest measured.
 * OUT_JSON: {"window":{from,to},"cpuWindow":{user,system},"cpuToLastRecord","maxRssKb",
 * "records":[{id,ok,sentAt,endAt,tokens:[ms...]}]} (measured requests only; times in ms on
 * CLOCK_MONOTONIC, CPU in seconds: over the measured window, and from process start to its end).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_TURN 8
#define READ_BUF (256 * 1024)

typedef struct {
  char *id;
  char *head; /* the whole request: head and body */
  size_t len;
  double sentAt, endAt;
  double *tokens;
  int ntok, cap;
  int ok;
} Req;

typedef struct {
  int fd;
  int rec; /* index of the request in flight, -1 when idle */
} Conn;

static Req *reqs;
static int nreqs;
static Conn *conns;
static int nconns;
static int *queue, qhead, qtail; /* connections waiting to send, a ring of nconns+1 */
static int next_req, phase_end, ended, phase_total;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void push(int c) {
  queue[qtail] = c;
  qtail = (qtail + 1) % (nconns + 1);
}

static void send_next(Conn *c) {
  if (next_req >= phase_end) return;
  int k = next_req++;
  c->rec = k;
  Req *r = &reqs[k];
  r->sentAt = now_ms();
  size_t off = 0;
  while (off < r->len) {
    ssize_t w = send(c->fd, r->head + off, r->len - off, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR) continue; /* requests are small: the buffer has room */
      die("send");
    }
    off += (size_t)w;
  }
}

/* Runs requests [from, to) as a closed loop over every connection; returns when all have ended. */
static void run_phase(int ep, int from, int to, char *buf, const char *tok, size_t toklen) {
  static const char END[] = "0\r\n\r\n";
  struct epoll_event evs[1024];
  next_req = from;
  phase_end = to;
  phase_total = to - from;
  ended = 0;
  qhead = qtail = 0;
  for (int i = 0; i < nconns; i++) push(i);
  while (ended < phase_total) {
    int n = epoll_wait(ep, evs, 1024, qhead != qtail ? 0 : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int e = 0; e < n; e++) {
      Conn *c = &conns[evs[e].data.u32];
      ssize_t got = recv(c->fd, buf, READ_BUF, 0);
      double at = now_ms();
      if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        fprintf(stderr, "floor-c: connection closed by the server\n");
        exit(1);
      }
      if (c->rec < 0) continue;
      Req *r = &reqs[c->rec];
      for (char *p = memmem(buf, got, tok, toklen); p; p = memmem(p + toklen, got - (p + toklen - buf), tok, toklen)) {
        if (r->ntok == r->cap) {
          r->cap = r->cap ? r->cap * 2 : 256;
          r->tokens = realloc(r->tokens, r->cap * sizeof(double));
        }
        r->tokens[r->ntok++] = at;
      }
      if (got >= 5 && memcmp(buf + got - 5, END, 5) == 0) {
        r->ok = r->ntok > 0;
        r->endAt = at;
        c->rec = -1;
        ended++;
        push(evs[e].data.u32);
      }
    }
    for (int k = 0; k < PER_TURN && qhead != qtail; k++) {
      int ci = queue[qhead];
      qhead = (qhead + 1) % (nconns + 1);
      send_next(&conns[ci]);
    }
  }
}

static double secs(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: floor-c PORT PATH REQUESTS_FILE WARMUP TOKEN_PATTERN OUT_JSON\n");
    return 2;
  }
  int port = atoi(argv[1]);
  const char *path = argv[2];
  int warmup = atoi(argv[4]);
  const char *tok = argv[5];
  size_t toklen = strlen(tok);

  FILE *f = fopen(argv[3], "r");
  if (!f) die(argv[3]);
  char *line = NULL;
  size_t lcap = 0;
  ssize_t ll;
  int rcap = 0;
  while ((ll = getline(&line, &lcap, f)) > 0) {
    if (line[ll - 1] == '\n') line[--ll] = 0;
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    *tab = 0;
    if (nreqs == rcap) {
      rcap = rcap ? rcap * 2 : 1024;
      reqs = realloc(reqs, rcap * sizeof(Req));
    }
    Req *r = &reqs[nreqs++];
    memset(r, 0, sizeof *r);
    r->id = strdup(line);
    const char *body = tab + 1;
    size_t blen = strlen(body);
    r->head = malloc(blen + 512 + strlen(r->id) + strlen(path));
    r->len = sprintf(r->head,
                     "POST %s HTTP/1.1\r\nhost: 127.0.0.1:%d\r\ncontent-type: application/json\r\n"
                     "x-request-id: %s\r\ncontent-length: %zu\r\n\r\n%s",
                     path, port, r->id, blen, body);
  }
  fclose(f);
  free(line);
  if (warmup <= 0 || nreqs <= warmup) {
    fprintf(stderr, "floor-c: need WARMUP > 0 and more requests than that\n");
    return 2;
  }

  nconns = warmup;
  conns = calloc(nconns, sizeof(Conn));
  queue = calloc(nconns + 1, sizeof(int));
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < nconns; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conns[i].fd = fd;
    conns[i].rec = -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  }
  char *buf = malloc(READ_BUF);

  run_phase(ep, 0, warmup, buf, tok, toklen);
  struct rusage u0, u1;
  getrusage(RUSAGE_SELF, &u0);
  double from = now_ms();
  run_phase(ep, warmup, nreqs, buf, tok, toklen);
  double to = now_ms();
  getrusage(RUSAGE_SELF, &u1);
  for (int i = 0; i < nconns; i++) close(conns[i].fd);

  FILE *o = fopen(argv[6], "w");
  if (!o) die(argv[6]);
  fprintf(o,
          "{\"window\":{\"from\":%.4f,\"to\":%.4f},\"cpuWindow\":{\"user\":%.6f,\"system\":%.6f},"
          "\"cpuToLastRecord\":%.6f,\"maxRssKb\":%ld,\"records\":[",
          from, to, secs(u1.ru_utime) - secs(u0.ru_utime), secs(u1.ru_stime) - secs(u0.ru_stime),
          secs(u1.ru_utime) + secs(u1.ru_stime), u1.ru_maxrss);
  for (int k = warmup; k < nreqs; k++) {
    Req *r = &reqs[k];
    fprintf(o, "%s{\"id\":\"%s\",\"ok\":%s,\"sentAt\":%.4f,\"endAt\":%.4f,\"tokens\":[", k > warmup ? "," : "", r->id,
            r->ok ? "true" : "false", r->sentAt, r->endAt);
    for (int j = 0; j < r->ntok; j++) fprintf(o, "%s%.4f", j ? "," : "", r->tokens[j]);
    fputs("]}", o);
  }
  fputs("]}\n", o);
  fclose(o);
  return 0;
}
