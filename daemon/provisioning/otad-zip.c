/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "OtadZip"

#include "config.h"

#include <glib/gi18n.h>

#include "ota-error.h"
#include "otad-zip.h"

#define OTAD_ZIP_EOCD_SIG 0x06054b50
#define OTAD_ZIP_CENTRAL_SIG 0x02014b50
#define OTAD_ZIP_LOCAL_SIG 0x04034b50

static guint32
otad_zip_u32 (const guint8 *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

static guint16
otad_zip_u16 (const guint8 *p)
{
	return (guint16)(p[0] | (p[1] << 8));
}

static gpointer
otad_zip_fail (GError **error, const gchar *what)
{
	g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG, _("not a usable ZIP archive: %s"),
	             what);
	return NULL;
}

static GBytes *
otad_zip_inflate (const guint8 *data, gsize len, gsize expected, GError **error)
{
	g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
	g_autoptr(GByteArray) out = g_byte_array_new ();
	gsize in_off = 0;

	for (;;) {
		guint8 buf[16384];
		gsize read = 0, written = 0;
		g_autoptr(GError) error_local = NULL;
		GConverterResult r;

		r = g_converter_convert (G_CONVERTER (z), data + in_off, len - in_off, buf,
		                         sizeof (buf), G_CONVERTER_INPUT_AT_END, &read, &written,
		                         &error_local);
		if (r == G_CONVERTER_ERROR) {
			g_set_error (error, OTA_ERROR, OTA_ERROR_INVALID_CONFIG,
			             _("not a usable ZIP archive: %s"), error_local->message);
			return NULL;
		}
		in_off += read;
		g_byte_array_append (out, buf, (guint)written);
		if (out->len > expected || out->len > OTAD_ZIP_MAX_MEMBER) {
			return otad_zip_fail (error, _("member larger than declared"));
		}
		if (r == G_CONVERTER_FINISHED)
			break;
		if (read == 0 && written == 0) {
			return otad_zip_fail (error, _("truncated deflate stream"));
		}
	}
	if (out->len != expected) {
		return otad_zip_fail (error, _("member shorter than declared"));
	}
	return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
otad_zip_extract (GBytes *archive, const gchar *name, GError **error)
{
	gsize len = 0;
	const guint8 *d = g_bytes_get_data (archive, &len);
	const guint8 *eocd = NULL;
	guint32 cd_off, cd_size;
	guint16 entries;
	gsize pos;

	/* the end record sits in the last 22 + 65535 (comment) bytes */
	if (len < 22)
		return otad_zip_fail (error, _("too short"));
	for (gsize i = len - 22;; i--) {
		if (otad_zip_u32 (d + i) == OTAD_ZIP_EOCD_SIG) {
			eocd = d + i;
			break;
		}
		if (i == 0 || len - i > 22 + 65535)
			break;
	}
	if (eocd == NULL)
		return otad_zip_fail (error, _("no end of central directory"));
	entries = otad_zip_u16 (eocd + 10);
	cd_size = otad_zip_u32 (eocd + 12);
	cd_off = otad_zip_u32 (eocd + 16);
	if ((guint64)cd_off + cd_size > (guint64)(eocd - d))
		return otad_zip_fail (error, _("central directory out of range"));

	pos = cd_off;
	for (guint e = 0; e < entries; e++) {
		const guint8 *c = d + pos;
		guint16 method, name_len, extra_len, comment_len, flags;
		guint32 csize, usize, local_off;

		if (pos + 46 > (gsize)cd_off + cd_size || otad_zip_u32 (c) != OTAD_ZIP_CENTRAL_SIG)
			return otad_zip_fail (error, _("bad central directory entry"));
		flags = otad_zip_u16 (c + 8);
		method = otad_zip_u16 (c + 10);
		csize = otad_zip_u32 (c + 20);
		usize = otad_zip_u32 (c + 24);
		name_len = otad_zip_u16 (c + 28);
		extra_len = otad_zip_u16 (c + 30);
		comment_len = otad_zip_u16 (c + 32);
		local_off = otad_zip_u32 (c + 42);
		if (pos + 46 + name_len > (gsize)cd_off + cd_size)
			return otad_zip_fail (error, _("name out of range"));
		if (name_len == strlen (name) && memcmp (c + 46, name, name_len) == 0) {
			const guint8 *l = d + local_off;
			gsize data_off;

			if (flags & 0x1)
				return otad_zip_fail (error, _("encrypted member"));
			if (usize > OTAD_ZIP_MAX_MEMBER || csize > OTAD_ZIP_MAX_MEMBER)
				return otad_zip_fail (error, _("member too large"));
			if ((guint64)local_off + 30 > len || otad_zip_u32 (l) != OTAD_ZIP_LOCAL_SIG)
				return otad_zip_fail (error, _("bad local header"));
			data_off =
			    (gsize)local_off + 30 + otad_zip_u16 (l + 26) + otad_zip_u16 (l + 28);
			if ((guint64)data_off + csize > len)
				return otad_zip_fail (error, _("member data out of range"));
			if (method == 0) {
				if (csize != usize)
					return otad_zip_fail (error, _("stored sizes differ"));
				return g_bytes_new (d + data_off, csize);
			}
			if (method == 8)
				return otad_zip_inflate (d + data_off, csize, usize, error);
			return otad_zip_fail (error, _("unsupported compression method"));
		}
		pos += 46 + (gsize)name_len + extra_len + comment_len;
	}
	g_set_error (error, OTA_ERROR, OTA_ERROR_NOT_FOUND, _("%s is not in the archive"), name);
	return NULL;
}
