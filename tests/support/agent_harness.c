/* SPDX-License-Identifier: Apache-2.0 */
/* The integration tests' additions to agent_device (see agent_harness.h). */
#include "agent_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

char harness_tmpdir[256];
char harness_www[300];

int harness_setup_dir(void **state)
{
    (void)state;
    snprintf(harness_tmpdir, sizeof harness_tmpdir, "/tmp/otaflow-agent-XXXXXX");
    if (mkdtemp(harness_tmpdir) == NULL) {
        return -1;
    }
    /* nginx's workers run as nobody when the test runs as root: let them read the files. */
    chmod(harness_tmpdir, 0755);
    snprintf(harness_www, sizeof harness_www, "%s/www", harness_tmpdir);
    mkdir(harness_www, 0755);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s/nginx-tmp", harness_tmpdir);
    mkdir(tmp, 0755);
    return 0;
}

int harness_teardown_dir(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", harness_tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

void harness_sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0) {
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    }
    assert_int_equal(rc, 0);
}

/* Path of otaflow-image in $OTA_BIN. */
static const char *tool(void)
{
    static char path[512];
    const char *bin = getenv("OTA_BIN");
    snprintf(path, sizeof path, "%s/otaflow-image", bin != NULL ? bin : "build/bin");
    return path;
}

void harness_pack(uint32_t version, unsigned size)
{
    harness_sh("head -c %u /dev/urandom > %s/payload_v%u.bin", size, harness_tmpdir, version);
    harness_sh("%s pack %s/payload_v%u.bin -o %s/app_v%u.ota --version %u > /dev/null",
               tool(), harness_tmpdir, version, harness_www, version, version);
}

void harness_manifest_reset(void)
{
    char p[400];
    snprintf(p, sizeof p, "%s/ota.json", harness_www);
    unlink(p);
}

void harness_manifest_add(uint32_t version, const char *base, const char *name,
                          const char *file, bool erase)
{
    harness_sh("%s manifest add %s/ota.json --version %u --url %s/%s --file %s/%s%s > /dev/null",
               tool(), harness_www, version, base, name, harness_www, file,
               erase ? " --erase" : "");
}

uint8_t *harness_read_file(const char *path, size_t *len)
{
    uint8_t *data = test_read_file(path, len);
    assert_non_null(data);
    return data;
}

void harness_device_start(agent_device_t *d, const char *manifest_url, uint32_t running,
                          uint32_t period_s)
{
    ota_agent_config_t cfg;
    agent_device_config(d, &cfg, manifest_url, running, period_s);
    assert_int_equal(agent_device_start(d, &cfg), OTA_AGENT_OK);
}

void harness_assert_slot_is_file(agent_device_t *d, uint32_t version)
{
    char path[400];
    snprintf(path, sizeof path, "%s/app_v%u.ota", harness_www, version);
    assert_int_equal(agent_device_slot_is_file(d, version, path), 0);
}

void harness_assert_nothing_stored(agent_device_t *d)
{
    assert_int_equal(agent_device_nothing_stored(d), 0);
}

void harness_nginx_start(test_server_t *s, uint16_t port, const char *servers)
{
    const char *dir = harness_tmpdir;
    char conf[400];
    snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
    FILE *f = fopen(conf, "w");
    assert_non_null(f);
    fprintf(f,
            "daemon off;\n"
            "pid %s/nginx.pid;\n"
            "error_log %s/nginx-error.log;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            "  access_log off;\n"
            "  client_body_temp_path %s/nginx-tmp;\n"
            "  proxy_temp_path %s/nginx-tmp;\n"
            "  fastcgi_temp_path %s/nginx-tmp;\n"
            "  uwsgi_temp_path %s/nginx-tmp;\n"
            "  scgi_temp_path %s/nginx-tmp;\n"
            "  types { application/json json; application/octet-stream ota; }\n"
            "%s"
            "}\n",
            dir, dir, dir, dir, dir, dir, dir, servers);
    fclose(f);
    char cmd[1024];
    /* nginx says nothing when it is ready: announce the port the way the helper expects. */
    snprintf(cmd, sizeof cmd, "echo 'nginx port %u'; exec /usr/sbin/nginx -p %s -c %s", port,
             dir, conf);
    char *argv[] = {"sh", "-c", cmd, NULL};
    char errlog[400];
    snprintf(errlog, sizeof errlog, "%s/nginx-stderr.log", dir);
    assert_true(test_server_start(s, argv, NULL, errlog, "127.0.0.1", 10000));
}
