/* SPDX-License-Identifier: MIT */
/*
 * tnef.c: the files inside a TNEF stream (winmail.dat, application/
 * ms-tnef), the wrapper Outlook puts around a message's attachments when
 * it sends "rich text". Attackers like it because many gateways do not
 * open it: a winmail.dat is an archive nobody lists.
 *
 * The files are taken out with libytnef. libytnef trusts the lengths in
 * the stream (it has had several CVEs on hostile input) and prints to
 * standard output when it meets a damaged stream, which would land in the
 * middle of a JSON report. So it never sees the stream as received: this
 * file first walks the attribute framing of [MS-OXTNEF] 2.1.3 itself
 * (signature, key, then level / id / length / data / checksum records),
 * checks every length against the bytes that are left and every checksum,
 * and checks the MAPI property blocks of the attachments (2.1.3.4) the
 * same way libytnef will read them. Only the records it needs and that
 * passed (attachment rendering, title, data and MAPI properties) are
 * copied into a clean stream for libytnef, and what libytnef returns is
 * checked against the lengths seen before anything is copied out.
 */
#include <stdio.h> /* ytnef.h uses FILE without including it */
#include <string.h>

#include <ytnef.h>

#include "mime-private.h"
#include "rfc2047-private.h"

/* [MS-OXTNEF] 2.1.3.1: the stream starts with this signature. */
#define TNEF_SIGNATURE 0x223E9F78u
/* The largest stream handed to libytnef, which counts in int. */
#define MAX_TNEF_INPUT ((gsize)256 * 1024 * 1024)
/* Attribute records walked: a real stream has a few dozen. */
#define MAX_ATTRIBUTES 100000
/* libytnef refuses more properties or values than this (and prints). */
#define MAX_MAPI_COUNT 1000
/* libytnef refuses longer property names (and prints). */
#define MAX_MAPI_NAME 100
/* libytnef's UTF-16 conversion gives up past this size (and prints). */
#define MAX_MAPI_UNICODE 65536

/* Attribute ids (level-independent), [MS-OXTNEF] 2.1.3.3. */
#define ID_ATTACH_RENDDATA 0x00069002u
#define ID_ATTACH_TITLE 0x00018010u
#define ID_ATTACH_DATA 0x0006800Fu
#define ID_ATTACHMENT 0x00069005u
#define ID_OEM_CODEPAGE 0x00069007u

/* MAPI property types ([MS-OXCDATA] 2.11.1). */
#define TYPE_I2 0x0002u
#define TYPE_LONG 0x0003u
#define TYPE_R4 0x0004u
#define TYPE_DOUBLE 0x0005u
#define TYPE_CURRENCY 0x0006u
#define TYPE_APPTIME 0x0007u
#define TYPE_ERROR 0x000Au
#define TYPE_BOOLEAN 0x000Bu
#define TYPE_OBJECT 0x000Du
#define TYPE_I8 0x0014u
#define TYPE_STRING8 0x001Eu
#define TYPE_UNICODE 0x001Fu
#define TYPE_SYSTIME 0x0040u
#define TYPE_CLSID 0x0048u
#define TYPE_BINARY 0x0102u
#define TYPE_MV 0x1000u

/* PR_ATTACH_LONG_FILENAME ([MS-OXPROPS] 2.589). */
#define PROP_LONG_FILENAME 0x3707u

void
mt_tnef_file_free(gpointer p)
{
    MtTnefFile *file = p;

    if (file == NULL)
        return;
    g_free(file->name);
    g_clear_pointer(&file->data, g_bytes_unref);
    g_free(file);
}

static guint32
le32(const guchar *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
           (guint32)p[3] << 24;
}

/* A cursor over a block that never moves past its end. */
typedef struct {
    const guchar *p;
    gsize left;
} Cursor;

static gboolean
take(Cursor *c, gsize n)
{
    if (n > c->left)
        return FALSE;
    c->p += n;
    c->left -= n;
    return TRUE;
}

static gboolean
take32(Cursor *c, guint32 *out)
{
    if (c->left < 4)
        return FALSE;
    *out = le32(c->p);
    return take(c, 4);
}

/* Skips a counted value and the padding to a multiple of 4 that follows
 * it ([MS-OXTNEF] 2.1.3.4). */
static gboolean
take_padded(Cursor *c, guint32 n)
{
    guint64 padded = (guint64)n + ((4 - n % 4) % 4);

    return padded <= c->left && take(c, (gsize)padded);
}

/* Whether a MAPI property block (attAttachment) is one libytnef reads to
 * its end without an error, a print or a read past the block: the same
 * walk as its TNEFFillMapi, with every length checked first. Stricter
 * than libytnef where that is simpler (one name per named property). */
static gboolean
mapi_block_ok(const guchar *data, gsize len)
{
    Cursor c = {data, len};
    guint32 count;

    if (!take32(&c, &count) || count > MAX_MAPI_COUNT)
        return FALSE;
    for (guint32 i = 0; i < count; i++) {
        guint32 tag, type, values = 1;
        gboolean multi = FALSE;

        if (!take32(&c, &tag))
            return FALSE;
        if ((tag >> 16) >= 0x8000) {
            /* A named property: GUID, kind, then an id or one name. */
            guint32 kind, value;

            if (!take(&c, 16) || !take32(&c, &kind) || kind > 1)
                return FALSE;
            if (!take32(&c, &value))
                return FALSE;
            if (kind == 1 &&
                (value > MAX_MAPI_NAME || !take_padded(&c, value)))
                return FALSE;
        }
        type = tag & 0xFFFFu;
        if (type & TYPE_MV) {
            if (!take32(&c, &values) || values == 0 ||
                values > MAX_MAPI_COUNT)
                return FALSE;
            type &= ~TYPE_MV;
            multi = TRUE;
        }
        for (guint32 v = 0; v < values; v++) {
            guint32 size;

            switch (type) {
            case TYPE_BINARY:
            case TYPE_OBJECT:
            case TYPE_STRING8:
            case TYPE_UNICODE:
                /* A single value carries a count (always 1) first. */
                if (!multi && !take(&c, 4))
                    return FALSE;
                if (!take32(&c, &size) || size > G_MAXINT32)
                    return FALSE;
                if (type == TYPE_UNICODE && size > MAX_MAPI_UNICODE)
                    return FALSE;
                if (!take_padded(&c, size))
                    return FALSE;
                break;
            case TYPE_I2:
            case TYPE_LONG:
            case TYPE_R4:
            case TYPE_CURRENCY:
            case TYPE_APPTIME:
            case TYPE_ERROR:
            case TYPE_BOOLEAN:
                if (!take(&c, 4))
                    return FALSE;
                break;
            case TYPE_DOUBLE:
            case TYPE_I8:
            case TYPE_SYSTIME:
                if (!take(&c, 8))
                    return FALSE;
                break;
            case TYPE_CLSID:
                if (!take(&c, 16))
                    return FALSE;
                break;
            default:
                return FALSE;
            }
        }
    }
    /* libytnef fails a block it does not read exactly to its end. */
    return c.left == 0;
}

/* What the framing walk found: the clean stream for libytnef and the
 * bounds to check its answers against. */
typedef struct {
    GByteArray *stream;
    guint32 max_title;  /* longest attAttachTitle kept */
    guint32 max_data;   /* longest attAttachData kept */
    guint32 max_mapi;   /* longest attAttachment kept */
    guint32 codepage;   /* attOemCodepage, 0 when absent */
    guint data_records; /* attAttachData records kept */
} Walk;

/* Walks the attribute records of a TNEF stream, keeping those libytnef
 * needs and that are sound. Returns FALSE when data is not TNEF. */
static gboolean
walk_stream(const guchar *data, gsize len, Walk *walk)
{
    Cursor c = {data, len};
    guint32 signature;
    guint group = 0; /* the records kept for the current attachment */

    if (!take32(&c, &signature) || signature != TNEF_SIGNATURE ||
        !take(&c, 2))
        return FALSE;
    /* Signature and key, as received. */
    g_byte_array_append(walk->stream, data, 6);

    for (guint n = 0; n < MAX_ATTRIBUTES && c.left > 0; n++) {
        const guchar *record = c.p;
        guint32 id, size, sum = 0;
        guint level, bit = 0;

        /* Level, id, length; a stream cut short ends the walk. */
        if (c.left < 9)
            break;
        level = c.p[0];
        id = le32(c.p + 1);
        size = le32(c.p + 5);
        take(&c, 9);
        if ((guint64)size + 2 > c.left)
            break;
        for (guint32 i = 0; i < size; i++)
            sum += c.p[i];
        if ((sum & 0xFFFFu) != ((guint32)c.p[size] |
                                (guint32)c.p[size + 1] << 8)) {
            /* A damaged record: its length is still the only way to
             * the next one, so skip it. */
            take(&c, (gsize)size + 2);
            continue;
        }
        if (level != 1 && level != 2) {
            take(&c, (gsize)size + 2);
            continue;
        }
        if (id == ID_OEM_CODEPAGE && size >= 4)
            walk->codepage = le32(c.p);
        if (id == ID_ATTACH_RENDDATA)
            group = 0;
        else if (id == ID_ATTACH_TITLE)
            bit = 1;
        else if (id == ID_ATTACH_DATA)
            bit = 2;
        else if (id == ID_ATTACHMENT)
            bit = 4;
        /* libytnef fails on an empty record, with a print; and it
         * overwrites (and leaks) a second title, data or property block
         * of one attachment, so only the first of each is kept. */
        if (size > 0 && (group & bit) == 0 &&
            (id == ID_ATTACH_RENDDATA || id == ID_ATTACH_TITLE ||
             id == ID_ATTACH_DATA ||
             (id == ID_ATTACHMENT && mapi_block_ok(c.p, size)))) {
            group |= bit;
            g_byte_array_append(walk->stream, record,
                                (guint)(9 + (gsize)size + 2));
            if (id == ID_ATTACH_TITLE)
                walk->max_title = MAX(walk->max_title, size);
            else if (id == ID_ATTACH_DATA) {
                walk->max_data = MAX(walk->max_data, size);
                walk->data_records++;
            } else if (id == ID_ATTACHMENT)
                walk->max_mapi = MAX(walk->max_mapi, size);
        }
        take(&c, (gsize)size + 2);
    }
    return TRUE;
}

/* A name from 8-bit bytes: UTF-8 when it is, else the stream's code
 * page (windows-1252 when it names none that is known). */
static char *
name_from_8bit(const char *bytes, gsize len, guint32 codepage)
{
    g_autofree char *label = NULL;
    char *name = NULL;

    len = strnlen(bytes, len);
    if (len == 0)
        return NULL;
    if (g_utf8_validate(bytes, (gssize)len, NULL))
        return g_strndup(bytes, len);
    if (codepage != 0) {
        label = g_strdup_printf("windows-%u", codepage);
        if (mt_charset_canonical(label) == NULL) {
            g_free(label);
            label = g_strdup_printf("cp%u", codepage);
        }
        name = mt_charset_to_utf8(label, bytes, len, NULL);
    }
    if (name == NULL)
        name = mt_charset_to_utf8("windows-1252", bytes, len, NULL);
    if (name == NULL)
        name = mt_escape_bytes(bytes, len, NULL);
    return name;
}

/* The long file name from an attachment's MAPI properties, or NULL.
 * libytnef keeps a PT_STRING8 value as the bytes, and turns a PT_UNICODE
 * one into UTF-8 in a buffer of 3 * (size / 2) + 1 bytes that it ends
 * with a NUL; lengths are checked against the block they came from. */
static char *
long_filename(Attachment *p, guint32 max_mapi, guint32 codepage)
{
    variableLength *v;

    v = MAPIFindProperty(&p->MAPI, PROP_TAG(PT_UNICODE, PROP_LONG_FILENAME));
    if (v != MAPI_UNDEFINED && v != NULL && v->data != NULL &&
        v->size > 0 && (guint32)v->size <= max_mapi) {
        gsize bound = (gsize)(v->size / 2) * 3 + 1;
        gsize n = strnlen((const char *)v->data, bound);

        if (n > 0)
            return mt_escape_bytes((const char *)v->data, n, NULL);
    }
    v = MAPIFindProperty(&p->MAPI, PROP_TAG(PT_STRING8, PROP_LONG_FILENAME));
    if (v != MAPI_UNDEFINED && v != NULL && v->data != NULL &&
        v->size > 0 && (guint32)v->size <= max_mapi)
        return name_from_8bit((const char *)v->data, (gsize)v->size,
                              codepage);
    return NULL;
}

GPtrArray *
mt_tnef_files(const void *data, gsize len, guint max_files,
              guint64 max_bytes)
{
    g_autoptr(GPtrArray) files = NULL;
    Walk walk = {0};
    TNEFStruct tnef;
    guint64 total = 0;
    guint seen = 0;

    g_return_val_if_fail(data != NULL || len == 0, NULL);

    if (len < 6 || len > MAX_TNEF_INPUT || le32(data) != TNEF_SIGNATURE)
        return NULL;
    walk.stream = g_byte_array_new();
    if (!walk_stream(data, len, &walk)) {
        g_byte_array_unref(walk.stream);
        return NULL;
    }
    files = g_ptr_array_new_with_free_func(mt_tnef_file_free);
    if (walk.data_records == 0) {
        g_byte_array_unref(walk.stream);
        return g_steal_pointer(&files);
    }

    memset(&tnef, 0, sizeof(tnef));
    TNEFInitialize(&tnef);
    tnef.Debug = 0;
    /* The return value only says whether the walk reached the end; the
     * attachments read before any error are kept. */
    (void)TNEFParseMemory(walk.stream->data, (long)walk.stream->len, &tnef);

    /* A data record before any rendering record lands in the first,
     * built-in attachment; every other one is in the list after it. */
    for (Attachment *p = &tnef.starting_attach;
         p != NULL && files->len < max_files && seen <= walk.data_records;
         p = p->next) {
        MtTnefFile *file;
        char *name;

        if (p->FileData.data == NULL || p->FileData.size <= 0 ||
            (guint32)p->FileData.size > walk.max_data)
            continue;
        seen++;
        if (total + (guint64)p->FileData.size > max_bytes)
            break;
        total += (guint64)p->FileData.size;

        name = long_filename(p, walk.max_mapi, walk.codepage);
        if (name == NULL && p->Title.data != NULL && p->Title.size > 0 &&
            (guint32)p->Title.size <= walk.max_title)
            name = name_from_8bit((const char *)p->Title.data,
                                  (gsize)p->Title.size, walk.codepage);
        file = g_new0(MtTnefFile, 1);
        file->name = name;
        file->data = g_bytes_new(p->FileData.data, (gsize)p->FileData.size);
        g_ptr_array_add(files, file);
    }
    /* TNEFFree leaves the built-in attachment's own fields. */
    TNEFFreeAttachment(&tnef.starting_attach);
    TNEFFree(&tnef);
    g_byte_array_unref(walk.stream);
    return g_steal_pointer(&files);
}
