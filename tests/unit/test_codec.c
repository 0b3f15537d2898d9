/* Boundary tests of the cursor, the writer and the text codecs. */
#include "harness.h"
#include "codec/codec.h"

TEST(cursor_reads_le)
{
	const uint8_t b[] = { 1, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct swsev_cur c;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	swsev_cur_init(&c, b, sizeof(b));
	CHECK_EQ(swsev_cur_u8(&c, &u8), SWSEV_OK);
	CHECK_EQ(u8, 1);
	CHECK_EQ(swsev_cur_u16(&c, &u16), SWSEV_OK);
	CHECK_EQ(u16, 0x0102);
	CHECK_EQ(swsev_cur_u32(&c, &u32), SWSEV_OK);
	CHECK_EQ(u32, 0x01020304);
	CHECK_EQ(swsev_cur_u64(&c, &u64), SWSEV_OK);
	CHECK_EQ(u64, 0x0102030405060708ULL);
	CHECK_EQ(swsev_cur_left(&c), 0);
	CHECK_EQ(swsev_cur_end(&c), SWSEV_OK);
}

TEST(cursor_exact_boundary)
{
	uint8_t b[4] = { 0 };
	uint8_t out[4];
	struct swsev_cur c;
	uint32_t v;

	/* exactly the bytes asked for: succeeds */
	swsev_cur_init(&c, b, 4);
	CHECK_EQ(swsev_cur_bytes(&c, out, 4), SWSEV_OK);
	/* one more byte: fails and latches */
	swsev_cur_init(&c, b, 3);
	CHECK_EQ(swsev_cur_u32(&c, &v), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_cur_left(&c), 0);
	CHECK_EQ(swsev_cur_bytes(&c, out, 0), SWSEV_E_TRUNCATED);
	CHECK_EQ(swsev_cur_end(&c), SWSEV_E_TRUNCATED);
	/* huge request cannot overflow the bound */
	swsev_cur_init(&c, b, 4);
	CHECK_EQ(swsev_cur_skip(&c, 1), SWSEV_OK);
	CHECK_EQ(swsev_cur_skip(&c, SIZE_MAX), SWSEV_E_TRUNCATED);
	/* NULL buffer reads nothing */
	swsev_cur_init(&c, NULL, 100);
	CHECK_EQ(swsev_cur_u8(&c, out), SWSEV_E_TRUNCATED);
}

TEST(cursor_trailing_and_zeros)
{
	const uint8_t b[] = { 0, 0, 0, 1 };
	struct swsev_cur c;

	swsev_cur_init(&c, b, sizeof(b));
	CHECK_EQ(swsev_cur_zeros(&c, 3), SWSEV_OK);
	CHECK_EQ(swsev_cur_end(&c), SWSEV_E_TRAILING);
	swsev_cur_init(&c, b, sizeof(b));
	CHECK_EQ(swsev_cur_zeros(&c, 4), SWSEV_E_FORMAT);
}

TEST(writer_bounds)
{
	uint8_t buf[7];
	struct swsev_wbuf w;

	swsev_wbuf_init(&w, buf, sizeof(buf));
	CHECK_EQ(swsev_put_u32(&w, 0xaabbccdd), SWSEV_OK);
	CHECK_EQ(swsev_put_u16(&w, 0x1122), SWSEV_OK);
	CHECK_EQ(swsev_put_u8(&w, 0x33), SWSEV_OK);
	CHECK_HEX(buf, "ddccbbaa221133");
	CHECK_EQ(swsev_put_u8(&w, 0), SWSEV_E_LENGTH);
	CHECK_EQ(w.off, 7);
	swsev_wbuf_init(&w, buf, 3);
	CHECK_EQ(swsev_put_u32(&w, 1), SWSEV_E_LENGTH);
	CHECK_EQ(w.off, 0);
}

TEST(guid_bytes_le)
{
	uint8_t g[16];
	char text[37];

	CHECK_EQ(swsev_guid_parse("9438d606-4f22-4cc9-b479-a793d411fd21", g), SWSEV_OK);
	CHECK_HEX(g, "06d63894224fc94cb479a793d411fd21");
	swsev_guid_format(g, text);
	CHECK(strcmp(text, "9438d606-4f22-4cc9-b479-a793d411fd21") == 0);
	CHECK_EQ(swsev_guid_parse("9438d606-4f22-4cc9-b479-a793d411fd2", g), SWSEV_E_FORMAT);
	CHECK_EQ(swsev_guid_parse("9438d606x4f22-4cc9-b479-a793d411fd21", g), SWSEV_E_FORMAT);
	CHECK_EQ(swsev_guid_parse("9438d606-4f22-4cc9-b479-a793d411fdzz", g), SWSEV_E_FORMAT);
}

TEST(hex_roundtrip)
{
	uint8_t b[4];
	char t[9];

	CHECK_EQ(swsev_hex_decode("00fFa9B0", b, 4), SWSEV_OK);
	CHECK_HEX(b, "00ffa9b0");
	swsev_hex_encode(b, 4, t);
	CHECK(strcmp(t, "00ffa9b0") == 0);
	CHECK_EQ(swsev_hex_decode("00fFa9B", b, 4), SWSEV_E_LENGTH);
	CHECK_EQ(swsev_hex_decode("00fFa9Bg", b, 4), SWSEV_E_FORMAT);
	CHECK_EQ(swsev_hex_decode("0:fFa9B0", b, 4), SWSEV_E_FORMAT);
}

TEST(parse_u64_strict)
{
	uint64_t v;

	CHECK_EQ(swsev_parse_u64("0x1f", UINT32_MAX, &v), SWSEV_OK);
	CHECK_EQ(v, 0x1f);
	CHECK_EQ(swsev_parse_u64("42", UINT32_MAX, &v), SWSEV_OK);
	CHECK_EQ(v, 42);
	CHECK_EQ(swsev_parse_u64("4294967296", UINT32_MAX, &v), SWSEV_E_RANGE);
	CHECK_EQ(swsev_parse_u64("-1", UINT32_MAX, &v), SWSEV_E_INVALID);
	CHECK_EQ(swsev_parse_u64(" 1", UINT32_MAX, &v), SWSEV_E_INVALID);
	CHECK_EQ(swsev_parse_u64("1x", UINT32_MAX, &v), SWSEV_E_INVALID);
	CHECK_EQ(swsev_parse_u64("", UINT32_MAX, &v), SWSEV_E_INVALID);
	CHECK_EQ(swsev_parse_u64("0x", UINT32_MAX, &v), SWSEV_E_INVALID);
	CHECK_EQ(swsev_parse_u64("99999999999999999999999", UINT64_MAX, &v), SWSEV_E_RANGE);
}

TEST(overflow_helpers)
{
	size_t r;

	CHECK(swsev_add_ok(1, 2, &r) && r == 3);
	CHECK(!swsev_add_ok(SIZE_MAX, 1, &r));
	CHECK(!swsev_mul_ok(SIZE_MAX / 2 + 1, 2, &r));
}

TH_MAIN_BEGIN("codec")
RUN(cursor_reads_le);
RUN(cursor_exact_boundary);
RUN(cursor_trailing_and_zeros);
RUN(writer_bounds);
RUN(guid_bytes_le);
RUN(hex_roundtrip);
RUN(parse_u64_strict);
RUN(overflow_helpers);
TH_MAIN_END
