/* Shared pieces of the agent-against-real-servers tests (see agent_harness.h). */
#include "agent_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock_posix.h"

char tmpdir[256];
char www[300];

int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/otaflow-agent-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        return -1;
    }
    /* nginx's workers run as nobody when the test runs as root: let them read the files. */
    chmod(tmpdir, 0755);
    snprintf(www, sizeof www, "%s/www", tmpdir);
    mkdir(www, 0755);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s/nginx-tmp", tmpdir);
    mkdir(tmp, 0755);
    return 0;
}

int teardown_dir(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

void on_event(void *user, const ota_event_t *e)
{
    recorder_t *r = user;
    if (getenv("AGENT_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "  event: %s v%u %u/%u %s %u\n", ota_event_type_str(e->type), e->version,
                e->bytes, e->total, e->reason, (unsigned)e->http_status);
    }
    if (r->n < MAX_EVENTS) {
        r->ev[r->n++] = *e;
    }
}

size_t count(const recorder_t *r, ota_event_type_t t)
{
    size_t c = 0;
    for (size_t i = 0; i < r->n; i++) {
        c += r->ev[i].type == t;
    }
    return c;
}

const ota_event_t *last(const recorder_t *r, ota_event_type_t t)
{
    for (size_t i = r->n; i-- > 0;) {
        if (r->ev[i].type == t) {
            return &r->ev[i];
        }
    }
    return NULL;
}

void sh(const char *fmt, ...)
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

const char *tool(void)
{
    static char path[512];
    const char *bin = getenv("OTA_BIN");
    snprintf(path, sizeof path, "%s/otaflow-image", bin != NULL ? bin : "build/bin");
    return path;
}

void pack(uint32_t version, unsigned size)
{
    sh("head -c %u /dev/urandom > %s/payload_v%u.bin", size, tmpdir, version);
    sh("%s pack %s/payload_v%u.bin -o %s/app_v%u.ota --version %u > /dev/null", tool(), tmpdir,
       version, www, version, version);
}

void manifest_reset(void)
{
    char p[400];
    snprintf(p, sizeof p, "%s/ota.json", www);
    unlink(p);
}

void manifest_add(uint32_t version, const char *base, const char *name, const char *file,
                  bool erase)
{
    sh("%s manifest add %s/ota.json --version %u --url %s/%s --file %s/%s%s > /dev/null", tool(),
       www, version, base, name, www, file, erase ? " --erase" : "");
}

void read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)n + 1u);
    assert_non_null(*data);
    assert_int_equal(fread(*data, 1, (size_t)n, f), (size_t)n);
    (*data)[n] = 0;
    fclose(f);
    *len = (size_t)n;
}

void assert_slot_is_file(ota_store_t *store, uint32_t version)
{
    char path[400];
    snprintf(path, sizeof path, "%s/app_v%u.ota", www, version);
    uint8_t *want;
    size_t len;
    read_file(path, &want, &len);
    uint8_t slot = ota_store_find_version(store, version);
    assert_int_not_equal(slot, OTA_STORE_SLOT_NONE);
    assert_int_equal(ota_store_slot(store, slot)->size, len);
    uint8_t *got = malloc(len);
    assert_int_equal(ota_store_slot_read(store, slot, 0, got, (uint32_t)len), OTA_STORE_OK);
    assert_memory_equal(got, want, len);
    assert_int_equal(ota_store_slot_verify(store, slot), OTA_STORE_OK);
    free(got);
    free(want);
}

void assert_nothing_stored(ota_store_t *store, uint32_t version)
{
    assert_int_equal(ota_store_find_version(store, version), OTA_STORE_SLOT_NONE);
    assert_int_not_equal(ota_store_boot(store)->state, OTA_BOOT_INSTALL_PENDING);
}

device_t *device_new(void)
{
    device_t *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->fx = store_fixture_open(NULL, NULL);
    ota_posix_transport_init(&d->sock);
    return d;
}

void device_free(device_t *d)
{
    ota_posix_transport_free(&d->sock);
    store_fixture_close(d->fx);
    free(d);
}

void device_config(device_t *d, ota_agent_config_t *cfg, const char *manifest_url,
                   uint32_t running, uint32_t period_s)
{
    ota_agent_config_default(cfg);
    cfg->manifest_url = manifest_url;
    cfg->running_version = running;
    cfg->period_s = period_s;
    cfg->auto_reset = false;
    cfg->on_event = on_event;
    cfg->event_user = &d->rec;
    cfg->connect_timeout_ms = 2000;
    cfg->idle_timeout_ms = 3000;
}

void device_init(device_t *d, const ota_agent_config_t *cfg)
{
    ota_agent_ports_t ports = {
        .transport = ota_posix_transport(&d->sock),
        .store = &d->fx->store,
    };
    assert_int_equal(ota_agent_init(&d->agent, cfg, &ports), OTA_AGENT_OK);
}

void device_start(device_t *d, const char *manifest_url, uint32_t running, uint32_t period_s)
{
    ota_agent_config_t cfg;
    device_config(d, &cfg, manifest_url, running, period_s);
    device_init(d, &cfg);
}

void run_until_event(device_t *d, ota_event_type_t t, size_t n, unsigned timeout_ms)
{
    uint32_t start = ota_posix_now_ms();
    while (count(&d->rec, t) < n && ota_posix_now_ms() - start < timeout_ms) {
        ota_agent_poll(&d->agent, ota_posix_now_ms());
        ota_posix_transport_wait(&d->sock, 5);
    }
    if (count(&d->rec, t) < n) {
        fprintf(stderr, "timeout waiting for '%s' x%zu\n", ota_event_type_str(t), n);
    }
    assert_true(count(&d->rec, t) >= n);
}

void nginx_start(test_server_t *s, uint16_t port, const char *servers)
{
    char conf[400];
    snprintf(conf, sizeof conf, "%s/nginx.conf", tmpdir);
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
            tmpdir, tmpdir, tmpdir, tmpdir, tmpdir, tmpdir, tmpdir, servers);
    fclose(f);
    char cmd[1024];
    /* nginx says nothing when it is ready: announce the port the way the helper expects. */
    snprintf(cmd, sizeof cmd, "echo 'nginx port %u'; exec /usr/sbin/nginx -p %s -c %s", port,
             tmpdir, conf);
    char *argv[] = {"sh", "-c", cmd, NULL};
    char errlog[400];
    snprintf(errlog, sizeof errlog, "%s/nginx-stderr.log", tmpdir);
    assert_true(test_server_start(s, argv, NULL, errlog, "127.0.0.1", 10000));
}
