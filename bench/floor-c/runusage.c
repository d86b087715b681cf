/*
 * runusage: runs a command and writes its whole-process resource use (wait4: user and system
 * CPU seconds of the process and every child it waited for, peak RSS) as JSON to a file, so
 * bench/client-overhead.js can charge each client's whole process, start-up included.
 *
 *   runusage OUT_JSON COMMAND [ARGS...]     (exit status: the command's)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;
static void forward(int sig) {
  if (child > 0) kill(child, sig);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: runusage OUT_JSON COMMAND [ARGS...]\n");
    return 2;
  }
  child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  signal(SIGTERM, forward);
  signal(SIGINT, forward);
  signal(SIGHUP, forward);
  int status;
  struct rusage ru;
  while (wait4(child, &status, 0, &ru) < 0) {
    if (errno != EINTR) return 1;
  }
  FILE *o = fopen(argv[1], "w");
  if (o) {
    fprintf(o, "{\"user\":%.6f,\"system\":%.6f,\"maxRssKb\":%ld}\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
            ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss);
    fclose(o);
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}
