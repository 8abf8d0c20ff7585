/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The files of a fuzz corpus (tests/fuzz/corpus/NAME under $OTA_SOURCE_DIR) for the unit
 * tests that replay one: each file read whole into the caller's buffer and handed to `each`.
 * A cmocka test's helper (it asserts that the directory and its files open): include it after
 * <cmocka.h>. Header-only, so that the tests which compile the core twice need no link change.
 */
#ifndef OTAFLOW_TESTS_CORPUS_FILES_H
#define OTAFLOW_TESTS_CORPUS_FILES_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* One corpus input: its path (for messages), its bytes (at most the buffer's capacity). */
typedef void (*corpus_file_fn)(const char *file, const uint8_t *data, size_t size, void *ctx);

/* Every file of corpus `name` but dot files, in directory order; returns how many. */
static inline unsigned corpus_files_each(const char *name, uint8_t *buf, size_t cap,
                                         corpus_file_fn each, void *ctx)
{
    const char *root = getenv("OTA_SOURCE_DIR");
    assert_non_null(root);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", root, name);
    DIR *dir = opendir(path);
    assert_non_null(dir);
    unsigned files = 0;
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir)) {
        if (e->d_name[0] == '.') {
            continue;
        }
        char file[1400];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        FILE *f = fopen(file, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, cap, f);
        fclose(f);
        each(file, buf, n, ctx);
        files++;
    }
    closedir(dir);
    return files;
}

#endif /* OTAFLOW_TESTS_CORPUS_FILES_H */
