/* SPDX-License-Identifier: Apache-2.0 */
/* URL parsing and redirect resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "otaflow/url.h"

/* The span [p, p+n) equals the string s. */
static void assert_span(const char *p, size_t n, const char *s)
{
    char buf[OTA_URL_MAX];
    assert_true(n < sizeof buf);
    memcpy(buf, p, n);
    buf[n] = '\0';
    assert_string_equal(buf, s);
}

static ota_url_t parse_ok(const char *url)
{
    ota_url_t u;
    memset(&u, 0xA5, sizeof u);
    assert_int_equal(ota_url_parse(url, &u), OTA_URL_OK);
    return u;
}

static void test_plain_http(void **state)
{
    (void)state;
    ota_url_t u = parse_ok("http://example.com/fw/app_v3.ota");
    assert_false(u.tls);
    assert_false(u.host_is_ipv6);
    assert_false(u.port_explicit);
    assert_int_equal(u.port, 80);
    assert_span(u.host, u.host_len, "example.com");
    assert_span(u.path, u.path_len, "/fw/app_v3.ota");
    assert_int_equal(u.query_len, 0);
}

static void test_https_default_port_and_case(void **state)
{
    (void)state;
    ota_url_t u = parse_ok("HTTPS://Example.COM/a");
    assert_true(u.tls);
    assert_int_equal(u.port, 443);
    assert_span(u.host, u.host_len, "Example.COM");
    u = parse_ok("hTTp://h/");
    assert_false(u.tls);
    assert_int_equal(u.port, 80);
}

static void test_explicit_port(void **state)
{
    (void)state;
    ota_url_t u = parse_ok("http://10.0.0.7:8080/ota.json");
    assert_int_equal(u.port, 8080);
    assert_true(u.port_explicit);
    assert_span(u.host, u.host_len, "10.0.0.7");
    u = parse_ok("https://h:1/");
    assert_int_equal(u.port, 1);
    u = parse_ok("http://h:65535/");
    assert_int_equal(u.port, 65535);
    u = parse_ok("http://h:80/");
    assert_int_equal(u.port, 80);
    assert_true(u.port_explicit);
}

static void test_ipv6_literals(void **state)
{
    (void)state;
    ota_url_t u = parse_ok("http://[::1]:8000/x");
    assert_true(u.host_is_ipv6);
    assert_span(u.host, u.host_len, "::1");
    assert_int_equal(u.port, 8000);
    u = parse_ok("http://[2001:db8::42]/");
    assert_span(u.host, u.host_len, "2001:db8::42");
    assert_int_equal(u.port, 80);
    parse_ok("http://[::]/");
    parse_ok("http://[1:2:3:4:5:6:7:8]/");
    parse_ok("http://[::ffff:192.0.2.1]/");
    parse_ok("http://[fe80::]/");
}

/* The address of an IP literal host, as the TLS port reads it: 4 or 16 bytes, 0 for a name. */
static size_t ip_of(const char *host, uint8_t ip[OTA_URL_IP_MAX])
{
    return ota_url_ip_parse(host, strlen(host), ip);
}

/* What counts as an IP literal (the TLS port matches it against iPAddress names; the rest is a host name). */
static void test_ip_literal_parsing(void **state)
{
    (void)state;
    uint8_t ip[OTA_URL_IP_MAX];
    static const uint8_t v6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2};
    assert_int_equal(ip_of("fe80::1:2", ip), 16);
    assert_memory_equal(ip, v6, 16);
    static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
    assert_int_equal(ip_of("::FFFF:10.0.0.1", ip), 16);
    assert_memory_equal(ip, mapped, 16);
    assert_int_equal(ip_of("1:2:3:4:5:6:7:8", ip), 16);
    assert_int_equal(ip[15], 8);
    assert_int_equal(ip_of("192.168.43.173", ip), 4);
    assert_int_equal(ip[3], 173);
    static const char *const not_ip[] = {"localhost", "1::2::3", "127.0.0.256", "01.2.3.4",
                                         "1.2.3", "1.2.3.4.5", ":::", "1:2:3:4:5:6:7:8:9",
                                         "12345::1", "fe80::1%eth0", "1:", ":1", "", "::1:"};
    for (size_t i = 0; i < sizeof not_ip / sizeof not_ip[0]; i++) {
        assert_int_equal(ip_of(not_ip[i], ip), 0);
    }
}

static void test_path_defaults_query_fragment(void **state)
{
    (void)state;
    ota_url_t u = parse_ok("http://h");
    assert_span(u.path, u.path_len, "/");
    assert_int_equal(u.query_len, 0);
    u = parse_ok("http://h:81");
    assert_span(u.path, u.path_len, "/");
    assert_int_equal(u.port, 81);
    u = parse_ok("http://h/a/b?x=1&y=%20#frag");
    assert_span(u.path, u.path_len, "/a/b");
    assert_span(u.query, u.query_len, "?x=1&y=%20");
    u = parse_ok("http://h?v=2");
    assert_span(u.path, u.path_len, "/");
    assert_span(u.query, u.query_len, "?v=2");
    u = parse_ok("http://h#top");
    assert_span(u.path, u.path_len, "/");
    assert_int_equal(u.query_len, 0);
    u = parse_ok("http://h/p#f?notquery");
    assert_span(u.path, u.path_len, "/p");
    assert_int_equal(u.query_len, 0);
}

static void expect_error(const char *url, ota_url_status_t want)
{
    ota_url_t u;
    ota_url_status_t got = ota_url_parse(url, &u);
    if (got != want) {
        print_error("%s: got %s, want %s\n", url, ota_url_status_str(got),
                    ota_url_status_str(want));
    }
    assert_int_equal(got, want);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("ftp://h/x", OTA_URL_ERR_SCHEME);
    expect_error("httpx://h/x", OTA_URL_ERR_SCHEME);
    expect_error("http:/h/x", OTA_URL_ERR_SCHEME);
    expect_error("http:h", OTA_URL_ERR_SCHEME);
    expect_error("//h/x", OTA_URL_ERR_SCHEME);
    expect_error("/x", OTA_URL_ERR_SCHEME);
    expect_error("", OTA_URL_ERR_SCHEME);
    expect_error("http://user:pw@h/x", OTA_URL_ERR_USERINFO);
    expect_error("http://user@h/x", OTA_URL_ERR_USERINFO);
    expect_error("http:///x", OTA_URL_ERR_HOST);
    expect_error("http://:80/x", OTA_URL_ERR_HOST);
    expect_error("http://h!/x", OTA_URL_ERR_HOST);
    expect_error("http://.h/x", OTA_URL_ERR_HOST);
    expect_error("http://a..b/x", OTA_URL_ERR_HOST);
    expect_error("http://256.1.1.1/", OTA_URL_ERR_HOST);
    expect_error("http://1.2.3/", OTA_URL_ERR_HOST);
    expect_error("http://1.2.3.4.5/", OTA_URL_ERR_HOST);
    /* A leading zero is octal to the resolver (inet_aton): 010.0.0.1 would be 8.0.0.1. */
    expect_error("http://010.0.0.1/", OTA_URL_ERR_HOST);
    expect_error("http://1.2.3.04/", OTA_URL_ERR_HOST);
    expect_error("http://[::ffff:010.0.0.1]/", OTA_URL_ERR_HOST);
    expect_error("http://[::1/", OTA_URL_ERR_HOST);
    expect_error("http://[]/", OTA_URL_ERR_HOST);
    expect_error("http://[1:2:3:4:5:6:7:8:9]/", OTA_URL_ERR_HOST);
    expect_error("http://[1::2::3]/", OTA_URL_ERR_HOST);
    expect_error("http://[12345::]/", OTA_URL_ERR_HOST);
    expect_error("http://[1:2]/", OTA_URL_ERR_HOST);
    expect_error("http://[:1::]/", OTA_URL_ERR_HOST);
    expect_error("http://[1:]/", OTA_URL_ERR_HOST);
    expect_error("http://[g::1]/", OTA_URL_ERR_HOST);
    expect_error("http://[fe80::1%25eth0]/", OTA_URL_ERR_HOST);
    expect_error("http://[::1]x/", OTA_URL_ERR_HOST);
    expect_error("http://::1/", OTA_URL_ERR_HOST);
    expect_error("http://h:/x", OTA_URL_ERR_PORT);
    expect_error("http://h:0/x", OTA_URL_ERR_PORT);
    expect_error("http://h:65536/x", OTA_URL_ERR_PORT);
    expect_error("http://h:123456/x", OTA_URL_ERR_PORT);
    expect_error("http://h:8a/x", OTA_URL_ERR_PORT);
    expect_error("http://h:-1/x", OTA_URL_ERR_PORT);
    expect_error("http://[::1]:/x", OTA_URL_ERR_PORT);
    expect_error("http://h/a b", OTA_URL_ERR_CHAR);
    expect_error(" http://h/", OTA_URL_ERR_CHAR);
    expect_error("http://h/\x01", OTA_URL_ERR_CHAR);
    expect_error("http://h/\xc3\xa9", OTA_URL_ERR_CHAR);
    expect_error("http://h/\r\nX: y", OTA_URL_ERR_CHAR);
    ota_url_t u;
    assert_int_equal(ota_url_parse(NULL, &u), OTA_URL_ERR_ARG);
    assert_int_equal(ota_url_parse("http://h/", NULL), OTA_URL_ERR_ARG);
}

static void test_length_limits(void **state)
{
    (void)state;
    char url[OTA_URL_MAX + 8];
    /* Exactly OTA_URL_MAX - 1 characters: accepted; one more: refused. */
    strcpy(url, "http://h/");
    size_t n = strlen(url);
    memset(url + n, 'a', OTA_URL_MAX - 1 - n);
    url[OTA_URL_MAX - 1] = '\0';
    parse_ok(url);
    url[OTA_URL_MAX - 1] = 'a';
    url[OTA_URL_MAX] = '\0';
    expect_error(url, OTA_URL_ERR_TOO_LONG);

    /* The longest host that fits the URL limit is accepted (the DNS limit of 253 characters
     * lies beyond OTA_URL_MAX with the default size). */
    size_t host_n = OTA_URL_MAX - 1 - strlen("http://") - strlen("/");
    strcpy(url, "http://");
    memset(url + 7, 'h', host_n);
    strcpy(url + 7 + host_n, "/");
    ota_url_t u = parse_ok(url);
    assert_int_equal(u.host_len, host_n);
}

static void resolve_ok(const char *base, const char *ref, const char *want)
{
    char out[OTA_URL_MAX];
    ota_url_status_t st = ota_url_resolve(base, ref, out, sizeof out);
    if (st != OTA_URL_OK) {
        print_error("%s + %s: %s\n", base, ref, ota_url_status_str(st));
    }
    assert_int_equal(st, OTA_URL_OK);
    assert_string_equal(out, want);
}

static void test_resolve_forms(void **state)
{
    (void)state;
    const char *base = "http://h:8080/a/b/c.bin?x=1#f";
    resolve_ok(base, "https://other/z", "https://other/z");
    resolve_ok(base, "HTTP://Other:81/z#frag", "HTTP://Other:81/z");
    resolve_ok(base, "//cdn.example/img.ota", "http://cdn.example/img.ota");
    resolve_ok("https://h/a", "//cdn/x", "https://cdn/x");
    resolve_ok(base, "/abs/path", "http://h:8080/abs/path");
    resolve_ok(base, "/abs/path?q=2#z", "http://h:8080/abs/path?q=2");
    resolve_ok(base, "d.bin", "http://h:8080/a/b/d.bin");
    resolve_ok(base, "sub/d.bin", "http://h:8080/a/b/sub/d.bin");
    resolve_ok(base, "./d.bin", "http://h:8080/a/b/d.bin");
    resolve_ok(base, "../d.bin", "http://h:8080/a/d.bin");
    resolve_ok(base, "../../d.bin", "http://h:8080/d.bin");
    resolve_ok(base, "../../../../d.bin", "http://h:8080/d.bin");
    resolve_ok(base, "..", "http://h:8080/a/");
    resolve_ok(base, ".", "http://h:8080/a/b/");
    resolve_ok(base, "x/../y/./z", "http://h:8080/a/b/y/z");
    resolve_ok(base, "/a/./b/../c", "http://h:8080/a/c");
    resolve_ok(base, "?y=2", "http://h:8080/a/b/c.bin?y=2");
    resolve_ok(base, "", "http://h:8080/a/b/c.bin?x=1");
    resolve_ok(base, "#other", "http://h:8080/a/b/c.bin?x=1");
    resolve_ok("http://h", "file.bin", "http://h/file.bin");
    resolve_ok("http://[::1]:9000/dir/", "img", "http://[::1]:9000/dir/img");
    resolve_ok("http://h/dir/", "q?a=/../b", "http://h/dir/q?a=/../b");
}

static void test_resolve_errors(void **state)
{
    (void)state;
    char out[OTA_URL_MAX];
    assert_int_equal(ota_url_resolve("http://h/a", "ftp://x/y", out, sizeof out),
                     OTA_URL_ERR_SCHEME);
    assert_string_equal(out, "");
    assert_int_equal(ota_url_resolve("http://h/a", "mailto:x@y", out, sizeof out),
                     OTA_URL_ERR_SCHEME);
    assert_int_equal(ota_url_resolve("http://h/a", "//u@evil/x", out, sizeof out),
                     OTA_URL_ERR_USERINFO);
    assert_int_equal(ota_url_resolve("http://h/a", "http://h:0/", out, sizeof out),
                     OTA_URL_ERR_PORT);
    assert_int_equal(ota_url_resolve("http://h/a", "a b", out, sizeof out), OTA_URL_ERR_CHAR);
    assert_int_equal(ota_url_resolve("nope", "/x", out, sizeof out), OTA_URL_ERR_SCHEME);
    assert_int_equal(ota_url_resolve("http://h/a", "/x", out, 10), OTA_URL_ERR_TOO_LONG);
    assert_string_equal(out, "");
    assert_int_equal(ota_url_resolve("http://h/a", "/x", out, 0), OTA_URL_ERR_ARG);
    assert_int_equal(ota_url_resolve(NULL, "/x", out, sizeof out), OTA_URL_ERR_ARG);
    assert_int_equal(ota_url_resolve("http://h/a", NULL, out, sizeof out), OTA_URL_ERR_ARG);
    /* Exactly fits: "http://h/x" is 10 characters + NUL. */
    assert_int_equal(ota_url_resolve("http://h/a", "/x", out, 11), OTA_URL_OK);
    assert_string_equal(out, "http://h/x");

    /* A long relative reference that makes the result reach OTA_URL_MAX. */
    char ref[OTA_URL_MAX];
    memset(ref, 'r', OTA_URL_MAX - 12);
    ref[OTA_URL_MAX - 12] = '\0';
    char big[OTA_URL_MAX * 2];
    assert_int_equal(ota_url_resolve("http://h/dir/x", ref, big, sizeof big),
                     OTA_URL_ERR_TOO_LONG);
}

static void test_status_strings(void **state)
{
    (void)state;
    for (int s = 0; s >= -7; s--) {
        const char *str = ota_url_status_str((ota_url_status_t)s);
        assert_non_null(str);
        assert_string_not_equal(str, "unknown URL status");
    }
    assert_string_equal(ota_url_status_str((ota_url_status_t)-99), "unknown URL status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_http),
        cmocka_unit_test(test_https_default_port_and_case),
        cmocka_unit_test(test_explicit_port),
        cmocka_unit_test(test_ipv6_literals),
        cmocka_unit_test(test_ip_literal_parsing),
        cmocka_unit_test(test_path_defaults_query_fragment),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_resolve_forms),
        cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
