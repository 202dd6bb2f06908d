/* SPDX-License-Identifier: Apache-2.0 */
/* The TLP log (--tlp-log) and functional coverage (--fcov) on real traffic, and the coverage
 * file's merge and report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cosim_fcov.h"
#include "blk/tb_blk_lib.h"
#include "vep_consts.h"

/* The first line at or after *from containing every one of the (up to 2) texts; its index, or
 * -1. lines/n: the log. */
static int find_line(char **lines, int n, int from, const char *a, const char *b) {
  for (int i = from; i < n; i++)
    if (strstr(lines[i], a) && (!b || strstr(lines[i], b))) return i;
  return -1;
}

TB_TEST(tlplog_blk_read, "--tlp-log on a blk write then read through the driver: the read's TLPs "
                         "appear in order with their virtio meaning (notify, avail idx, desc "
                         "table, data buffer write, status write, used elem, used idx, MSI-X "
                         "message, CplD matched to its request); coverage counts IN and OUT") {
  char path[64];
  tb_temp_path(t, path, sizeof path, "tlplog");
  cosim_cfg_t cfg = t->cfg;
  cfg.tlp_log_path = path;
  cfg.fcov = 1;
  tb_reconfigure(t, &cfg);
  tb_blk_t k;
  tb_blk_open(t, &k, NULL);
  uint64_t w = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_READ);
  uint64_t r = tb_blk_buf(&k, 4096, 4096, VDRV_DMA_DEV_WRITE);
  tb_blk_fill(&k, w, 4096, 11);
  vdrv_virtq_seg_t ws = {w, 4096}, rs = {r, 4096};
  TB_DRV(t, vdrv_blk_write(&k.b, 0, 16, &ws, 1));
  tb_blk_shadow_write(&k, 16, &ws, 1);
  TB_DRV(t, vdrv_blk_read(&k.b, 0, 16, &rs, 1));
  tb_blk_check_read(&k, 16, &rs, 1, "read back");
  const cosim_fcov_t *f = cosim_fcov_counts(t->sim);
  TB_REQUIRE(t, f != NULL, "cfg.fcov = 1 gives counts");
  TB_CHECK_EQ(t, cosim_fcov_count(f, COSIM_FCOV_BLK_OUT), 1);
  TB_CHECK_EQ(t, cosim_fcov_count(f, COSIM_FCOV_BLK_IN), 1);
  TB_CHECK_EQ(t, cosim_fcov_count(f, COSIM_FCOV_BLK_OK), 2);
  TB_CHECK(t, cosim_fcov_count(f, COSIM_FCOV_RX_CFGWR0) > 0, "CfgWr0 counted");
  TB_CHECK(t, cosim_fcov_count(f, COSIM_FCOV_TX_MRD64) + cosim_fcov_count(f, COSIM_FCOV_TX_MRD32) > 0,
           "device reads counted");
  TB_CHECK(t, cosim_fcov_count(f, COSIM_FCOV_RD_SPLIT) > 0, "4 KiB reads split at the RCB");
  TB_CHECK(t, cosim_fcov_count(f, COSIM_FCOV_MSIX_MESSAGE) >= 2, "MSI-X messages counted");
  tb_blk_close(&k);
  /* A new simulation closes the old one's log. */
  cosim_cfg_t plain = t->cfg;
  plain.tlp_log_path = NULL;
  plain.fcov = 0;
  tb_reconfigure(t, &plain);

  FILE *in = fopen(path, "r");
  TB_REQUIRE(t, in != NULL, "open %s", path);
  static char buf[1 << 20];
  size_t nb = fread(buf, 1, sizeof buf - 1, in);
  fclose(in);
  remove(path);
  buf[nb] = '\0';
  static char *lines[16384];
  int n = 0;
  for (char *p = strtok(buf, "\n"); p && n < 16384; p = strtok(NULL, "\n")) lines[n++] = p;
  TB_REQUIRE(t, n > 100, "the log has %d lines", n);
  TB_CHECK(t, find_line(lines, n, 0, "CfgRd0", "| Vendor ID read") >= 0, "config by name");
  TB_CHECK(t, find_line(lines, n, 0, "common_cfg.queue_select write", NULL) >= 0,
           "common_cfg fields by name");
  TB_CHECK(t, find_line(lines, n, 0, "CplD for Vendor ID read", NULL) >= 0,
           "completions matched to their request");
  /* The read: from its doorbell (the last notify of queue 0) to its MSI-X message. */
  int i = -1;
  for (int j = find_line(lines, n, 0, "q0 notify", NULL); j >= 0;
       j = find_line(lines, n, j + 1, "q0 notify", NULL))
    i = j;
  TB_REQUIRE(t, i >= 0, "a q0 notify line");
  static const char *const seq[][2] = {
      /* avail.idx, alone or with the ring entries after it ("avail idx+ring [..] read") */
      {"EP>RC", "q0 avail idx"},           {"RC>EP", "CplD for q0 avail idx"},
      {"EP>RC", "q0 desc table ["},        {"RC>EP", "CplD for q0 desc table ["},
      {"EP>RC", "blk data buffer write"},  {"EP>RC", "blk status write"},
      {"EP>RC", "q0 used elem ["},         {"EP>RC", "q0 used idx write"},
      {"EP>RC", "MSI-X vector"},
  };
  for (size_t s = 0; s < sizeof seq / sizeof *seq; s++) {
    int j = find_line(lines, n, i + 1, seq[s][0], seq[s][1]);
    if (!TB_CHECK(t, j > i, "after line %d, a %s line with \"%s\"", i + 1, seq[s][0], seq[s][1]))
      return;
    i = j;
  }
}

TB_TEST(fcov_file, "coverage counts: add, save, load, merge into a file twice (counts add up), "
                   "a foreign line refused, the report's H/N line and never-hit list") {
  char path[64];
  tb_temp_path(t, path, sizeof path, "fcov");
  cosim_fcov_t *a, *b;
  TB_REQUIRE(t, cosim_fcov_create(&a) == 0 && cosim_fcov_create(&b) == 0, "create");
  cosim_fcov_hit(a, COSIM_FCOV_BLK_IN);
  cosim_fcov_hit(a, COSIM_FCOV_BLK_IN);
  cosim_fcov_hit(a, COSIM_FCOV_USED_WRAP);
  cosim_fcov_hit(NULL, COSIM_FCOV_BLK_IN);  /* coverage off: nothing, no crash */
  TB_CHECK_EQ(t, cosim_fcov_lookup("blk.type.IN"), COSIM_FCOV_BLK_IN);
  TB_CHECK_EQ(t, cosim_fcov_lookup("no.such.point"), (uint64_t)-1);
  char why[256] = "";
  remove(path);  /* a missing file merges as all zeros */
  TB_CHECK_EQ(t, cosim_fcov_merge_into(a, path, why, sizeof why), 0);
  TB_CHECK_EQ(t, cosim_fcov_merge_into(a, path, why, sizeof why), 0);
  TB_CHECK_EQ(t, cosim_fcov_load(b, path, why, sizeof why), 0);
  TB_CHECK_EQ(t, cosim_fcov_count(b, COSIM_FCOV_BLK_IN), 4);
  TB_CHECK_EQ(t, cosim_fcov_count(b, COSIM_FCOV_USED_WRAP), 2);
  TB_CHECK_EQ(t, cosim_fcov_count(b, COSIM_FCOV_BLK_OUT), 0);
  cosim_fcov_add(b, a);
  TB_CHECK_EQ(t, cosim_fcov_count(b, COSIM_FCOV_BLK_IN), 6);

  FILE *rep = tmpfile();
  TB_REQUIRE(t, rep != NULL, "tmpfile");
  unsigned hit = cosim_fcov_report(b, rep);
  TB_CHECK_EQ(t, hit, 2);
  rewind(rep);
  char line[256], want[64];
  snprintf(want, sizeof want, "functional coverage: 2/%u points hit", (unsigned)COSIM_FCOV_COUNT);
  int saw_total = 0, saw_never_out = 0, in_never = 0;
  while (fgets(line, sizeof line, rep)) {
    if (strstr(line, want)) saw_total = 1;
    if (!strncmp(line, "never hit:", 10)) in_never = 1;
    if (in_never && !strcmp(line, "  blk.type.OUT\n")) saw_never_out = 1;
    TB_CHECK(t, !(in_never && strstr(line, "blk.type.IN\n")), "IN listed as never hit");
  }
  fclose(rep);
  TB_CHECK(t, saw_total, "report line \"%s\"", want);
  TB_CHECK(t, saw_never_out, "blk.type.OUT in the never-hit list");

  FILE *bad = fopen(path, "a");
  TB_REQUIRE(t, bad != NULL, "append to %s", path);
  fprintf(bad, "some.other.point 3\n");
  fclose(bad);
  cosim_fcov_t *c;
  TB_REQUIRE(t, cosim_fcov_create(&c) == 0, "create");
  TB_CHECK_EQ(t, cosim_fcov_load(c, path, why, sizeof why), (uint64_t)-EBADMSG);
  TB_CHECK(t, strstr(why, "some.other.point") != NULL, "the refusal names the line: %s", why);
  TB_CHECK_EQ(t, cosim_fcov_count(c, COSIM_FCOV_BLK_IN), 0);  /* all or nothing */
  cosim_fcov_destroy(a);
  cosim_fcov_destroy(b);
  cosim_fcov_destroy(c);
  remove(path);
}
