/*
 * The benchmark table: one line per benchmark, BENCH(name, description),
 * where bench/bench_<name>.c defines
 *     void bench_<name>(const struct bench_opts *o);
 * Benchmarks run in this order; `swsev-bench --only SUBSTR` picks some.
 * To add one: write the file, add its line here. Nothing else.
 */
BENCH(primitives, "swsev crypto API on the primitives themselves (sanity rows)")
BENCH(owner,
      "guest-owner toolkit: chain validation (swsev verify) and session creation (swsev session)")
BENCH(mem, "memory engine: C-bit page writes and reads through lib/mem")
BENCH(guest_ctx, "memory a guest context costs beyond its guest pages")
BENCH(fw,
      "firmware core: LAUNCH_UPDATE_DATA, SEND_UPDATE_DATA, LAUNCH_START, platform command latency, guest context")
BENCH(receive, "RECEIVE_UPDATE_DATA throughput (16 KiB packets) against HMAC-SHA256")
BENCH(host, "end-to-end launch of a 4 MiB image: in-process, through swsevd, concurrent clients")
BENCH(daemon, "swsevd socket: PLATFORM_STATUS round trip and 4 MiB VM_WRITE, daemon vs in-process")
