// Binary tensors: NumPy's .npy files (src/lib/cnnbp/oracle/npy.hpp). Each element type is written and read back bit
// for bit, NumPy (Debian's /usr/bin/python3) reads what cnnbp writes and cnnbp reads what np.save writes, and a
// hostile or careless file is refused with exit 2 and a message naming the file and the numbers.
#include "support/cli.hpp"

#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/npy.hpp"

#include <cmath>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using namespace cnnbp::testing;
using cnnbp::Array;
using cnnbp::NpyType;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
const double not_a_number = std::numeric_limits<double>::quiet_NaN();

// Equal as stored values: NaN equals NaN, and -0 differs from +0.
bool same(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
}

bool same(const Array& a, const Array& b) {
    if (a.shape != b.shape || a.data.size() != b.data.size()) return false;
    for (std::size_t k = 0; k < a.data.size(); ++k)
        if (!same(a.data[k], b.data[k])) return false;
    return true;
}

// The array of shape (1, 1, 1, n) holding `values` (rank 4, as images are).
Array row(std::vector<double> values) { return Array{{1, 1, 1, values.size()}, std::move(values)}; }

// The value of `x` after writing it as `type` and reading it back.
double through(NpyType type, double x) {
    cnnbp::write_npy("npy_through.npy", Array{{}, {x}}, type);
    return cnnbp::read_npy("npy_through.npy", "", true, type == NpyType::bfloat16).data[0];
}

// Runs a Python script with numpy; its exit status.
int python(const std::string& name, const std::string& script) {
    file(name, "import json, sys\nimport numpy as np\n" + script);
    const Run r = shell("/usr/bin/python3 " + name);
    INFO(name << ":\n" << r.output);
    CHECK(r.status == 0);
    return r.status;
}

// An NPY file made by hand: the magic string, a version, the header's length, `header` (padded to 64 bytes), `data`.
std::string handmade(const std::string& name, const std::string& header, const std::string& data, int major = 1) {
    std::string text = header;
    const std::size_t prefix = major == 1 ? 10 : 12;
    while ((prefix + text.size() + 1) % 64 != 0) text += ' ';
    text += '\n';
    std::string bytes = std::string("\x93NUMPY", 6) + char(major) + char(0);
    for (std::size_t i = 0; i < prefix - 8; ++i) bytes += char((text.size() >> (8 * i)) & 0xff);
    std::ofstream(name, std::ios::binary) << bytes << text << data;
    return name;
}

// `n` little-endian doubles counting 0.5, 1.5, ...
std::string doubles(std::size_t n) {
    std::string bytes;
    for (std::size_t k = 0; k < n; ++k) {
        const double x = double(k) + 0.5;
        char b[8];
        std::memcpy(b, &x, 8);
        bytes.append(b, 8);
    }
    return bytes;
}

}  // namespace

TEST_CASE("npy: every element type reads back the values it holds, bit for bit", "[npy]") {
    const double f16_min_subnormal = std::ldexp(1.0, -24), f16_max_subnormal = 1023 * std::ldexp(1.0, -24);
    const double bf16_max = (2 - std::ldexp(1.0, -7)) * std::ldexp(1.0, 127), bf16_min_subnormal = std::ldexp(1.0, -133);
    const std::vector<std::pair<NpyType, std::vector<double>>> held = {
        {NpyType::float64, {0.1, -1e300, 5e-324, -0.0, 1.0 / 3, inf, -inf, not_a_number}},
        {NpyType::float32, {double(0.1f), -3.5, std::ldexp(1.0, -149), double(std::numeric_limits<float>::max()), -0.0, inf, not_a_number}},
        {NpyType::float16, {1, -2.5, 65504, f16_min_subnormal, f16_max_subnormal, std::ldexp(1.0, -14), -0.0, inf, -inf, not_a_number}},
        {NpyType::bfloat16, {1, -3.140625, bf16_max, bf16_min_subnormal, std::ldexp(1.0, -126), -0.0, inf, not_a_number}},
        {NpyType::int64, {-9007199254740992.0, -1, 0, 7, 9007199254740992.0, -std::ldexp(1.0, 63)}},
        {NpyType::int32, {-2147483648.0, -1, 0, 2147483647.0}}};
    for (const auto& [type, values] : held) {
        CAPTURE(int(type));
        cnnbp::write_npy("npy_types.npy", row(values), type);
        CHECK(same(cnnbp::read_npy("npy_types.npy", "", true, type == NpyType::bfloat16), row(values)));
        // 0-d: a scalar
        cnnbp::write_npy("npy_types.npy", Array{{}, {values[1]}}, type);
        const Array scalar = cnnbp::read_npy("npy_types.npy", "", true, type == NpyType::bfloat16);
        CHECK(scalar.shape.empty());
        CHECK(same(scalar.data.at(0), values[1]));
    }
    // a 4-d array with distinct elements keeps its layout: element (n, c, h, w) is at n*60 + c*20 + h*5 + w
    Array image{{2, 3, 4, 5}, {}};
    for (int k = 0; k < 120; ++k) image.data.push_back((k - 60) / 16.0);
    cnnbp::write_npy("npy_image.npy", image, NpyType::float32);
    CHECK(same(cnnbp::read_npy("npy_image.npy", "", false, false), image));
}

TEST_CASE("npy: narrower types round once, to the nearest value, ties to even", "[npy]") {
    const double u16 = std::ldexp(1.0, -10), ubf = std::ldexp(1.0, -7);  // the spacing just above 1
    CHECK(through(NpyType::float16, 1 + u16 / 2) == 1);                    // a tie goes to the even neighbour
    CHECK(through(NpyType::float16, 1 + 1.5 * u16) == 1 + 2 * u16);
    CHECK(through(NpyType::float16, 65519) == 65504);                      // below halfway to 2^16: the largest half
    CHECK(through(NpyType::float16, 65520) == inf);                        // halfway: the even neighbour is 2^16, out of range
    CHECK(through(NpyType::float16, std::ldexp(1.0, -25)) == 0);           // half the smallest subnormal: a tie, to 0
    CHECK(through(NpyType::float16, 3 * std::ldexp(1.0, -26)) == std::ldexp(1.0, -24));
    CHECK(through(NpyType::float16, 2047 * std::ldexp(1.0, -25)) == std::ldexp(1.0, -14));  // the largest subnormal rounds up into the normals
    CHECK(through(NpyType::bfloat16, 1 + ubf / 2) == 1);
    CHECK(through(NpyType::bfloat16, 1 + 1.5 * ubf) == 1 + 2 * ubf);
    // one rounding from the double: through float32 first, 1 + 2^-8 + 2^-30 would become the tie 1 + 2^-8, then 1
    CHECK(through(NpyType::bfloat16, 1 + ubf / 2 + std::ldexp(1.0, -30)) == 1 + ubf);
    CHECK(through(NpyType::float32, 1e300) == inf);
    CHECK(through(NpyType::float32, 0.1) == double(0.1f));
    CHECK_THROWS_WITH(cnnbp::write_npy("npy_int.npy", row({1, 2.5}), NpyType::int64),
                      Catch::Contains("npy_int.npy: element (0,0,0,1) is 2.5, which is not an int64"));
    CHECK_THROWS_WITH(cnnbp::write_npy("npy_int.npy", row({std::ldexp(1.0, 31)}), NpyType::int32),
                      Catch::Contains("is 2147483648, which is not an int32"));
}

TEST_CASE("npy: NumPy rounds to float16 as cnnbp does, reads every file cnnbp writes, and writes files cnnbp reads",
          "[npy][numpy]") {
    // cnnbp writes (k - 60) / 7, a value no narrow type holds, as each type; numpy rounds the same doubles itself
    Array values{{2, 3, 4, 5}, {}};
    for (int k = 0; k < 120; ++k) values.data.push_back((k - 60) / 7.0);
    cnnbp::write_npy("npy_cnnbp_f8.npy", values, NpyType::float64);
    cnnbp::write_npy("npy_cnnbp_f4.npy", values, NpyType::float32);
    cnnbp::write_npy("npy_cnnbp_f2.npy", values, NpyType::float16);
    cnnbp::write_npy("npy_cnnbp_bf16.npy", values, NpyType::bfloat16);
    Array labels{{4}, {3, 0, 2, 1}};
    cnnbp::write_npy("npy_cnnbp_i8.npy", labels, NpyType::int64);
    cnnbp::write_npy("npy_cnnbp_i4.npy", labels, NpyType::int32);
    cnnbp::write_npy("npy_cnnbp_0d.npy", Array{{}, {2.5}}, NpyType::float64);
    python("npy_reads.py", R"(
v = (np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) - 60) / 7
def same(name, want):
    got = np.load(name)
    assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want), (name, got, want)
same("npy_cnnbp_f8.npy", v)
same("npy_cnnbp_f4.npy", v.astype(np.float32))
same("npy_cnnbp_f2.npy", v.astype(np.float16))
bf = np.load("npy_cnnbp_bf16.npy")  # bfloat16 as uint16: the upper half of a float32
f32 = (bf.astype(np.uint32) << 16).view(np.float32)
assert bf.dtype == np.uint16 and np.all(np.abs(f32 - v) <= np.abs(v) * 2.0**-8), (f32, v)
same("npy_cnnbp_i8.npy", np.array([3, 0, 2, 1], dtype=np.int64))
same("npy_cnnbp_i4.npy", np.array([3, 0, 2, 1], dtype=np.int32))
same("npy_cnnbp_0d.npy", np.array(2.5))
)");
    // np.save in every type, and np.lib.format's versions 2.0 and 3.0
    REQUIRE(python("npy_writes.py", R"(
v = (np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5) - 60) / 7
for t in ("f8", "f4", "f2", "i8", "i4"):
    np.save(f"npy_numpy_{t}.npy", v.astype("<" + t) if t[0] == "f" else np.arange(-3, 3, dtype="<" + t))
np.save("npy_numpy_bf16.npy", (v.astype(np.float32).view(np.uint32) >> 16).astype("<u2"))
np.save("npy_numpy_0d.npy", np.float32(-0.75))
for version in ((2, 0), (3, 0)):
    with open(f"npy_numpy_v{version[0]}.npy", "wb") as f:
        np.lib.format.write_array(f, v, version=version)
)") == 0);
    auto read = [](const std::string& name, bool bfloat16 = false) { return cnnbp::read_npy(name, "", false, bfloat16); };
    CHECK(same(read("npy_numpy_f8.npy"), values));
    CHECK(same(read("npy_numpy_v2.npy"), values));
    CHECK(same(read("npy_numpy_v3.npy"), values));
    // numpy's rounding to float32 and float16 is cnnbp's: the files it writes are those cnnbp writes
    CHECK(same(read("npy_numpy_f4.npy"), read("npy_cnnbp_f4.npy")));
    CHECK(same(read("npy_numpy_f2.npy"), read("npy_cnnbp_f2.npy")));
    // numpy truncates to bfloat16 here (>> 16), cnnbp rounds: at most one unit of the last place apart
    const Array truncated = read("npy_numpy_bf16.npy", true), rounded = read("npy_cnnbp_bf16.npy", true);
    REQUIRE(truncated.shape == rounded.shape);
    for (std::size_t k = 0; k < truncated.data.size(); ++k)
        CHECK(std::abs(truncated.data[k] - rounded.data[k]) <= std::abs(values.data[k]) * std::ldexp(1.0, -7));
    CHECK(same(read("npy_numpy_i8.npy"), Array{{6}, {-3, -2, -1, 0, 1, 2}}));
    CHECK(same(read("npy_numpy_i4.npy"), Array{{6}, {-3, -2, -1, 0, 1, 2}}));
    CHECK(same(read("npy_numpy_0d.npy"), Array{{}, {-0.75}}));
}

TEST_CASE("npy: a file that is not a tensor cnnbp reads is refused, naming the file and the numbers", "[npy][errors]") {
    auto refused = [](const std::string& path, const std::string& message, bool bfloat16 = false) {
        CHECK_THROWS_WITH(cnnbp::read_npy(path, "case.json: inputs.x", false, bfloat16),
                          Catch::StartsWith("case.json: inputs.x: " + path + ": ") && Catch::Contains(message));
    };
    const std::string f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
    CHECK(same(cnnbp::read_npy(handmade("npy_fine.npy", f8, doubles(6)), "", false, false),
               Array{{2, 3}, {0.5, 1.5, 2.5, 3.5, 4.5, 5.5}}));
    refused(handmade("npy_short.npy", f8, doubles(5)),
            "truncated: 168 bytes, where the header (128 bytes) and 6 elements of '<f8' (48 bytes) make 176");
    refused(handmade("npy_long.npy", f8, doubles(7)), "longer than its header says");
    refused(handmade("npy_huge.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", doubles(1)),
            "the header's shape (1000000, 1000000) has 1000000000000 elements, more than the limit of 16777216 (--max-elements)");
    refused(handmade("npy_overflow.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", ""),
            "has more than 2^64 elements");
    refused(handmade("npy_fortran.npy", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", doubles(6)),
            "fortran_order is True; cnnbp reads C order");
    refused(handmade("npy_big_endian.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", doubles(6)),
            "big-endian elements ('>f8')");
    refused(handmade("npy_complex.npy", "{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", doubles(6)),
            "elements of type '<c16', which cnnbp does not read");
    refused(handmade("npy_u2.npy", "{'descr': '<u2', 'fortran_order': False, 'shape': (4,), }", doubles(1)),
            "'<u2' (uint16) is read only as bfloat16");
    refused("npy_fine.npy", "\"dtype\": \"bfloat16\", which is stored as '<u2', but the file holds '<f8'", true);
    refused(handmade("npy_empty.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0), }", ""),
            "the shape (2, 0) has an empty dimension");
    refused(handmade("npy_structured.npy", "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", doubles(1)),
            "a structured array");
    refused(handmade("npy_garbled.npy", "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }", doubles(1)),
            "the header is not the dictionary an NPY file starts with (expected True or False");
    refused(handmade("npy_v4.npy", f8, doubles(6), 4), "NPY format version 4.0");
    refused(file("npy_text.npy", "[[1, 2, 3]]"), "not an NPY file");
    refused("npy_no_such_file.npy", "no such file");
    std::system("mkdir -p npy_folder.npy");
    refused("npy_folder.npy", "is a folder, not a file");
    refused(handmade("npy_nan.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", std::string("\0\0\0\0\0\0\xf8\x7f", 8)),
            "element () is nan, not a number a case file may hold");
    // in a result NaN is read: it is a wrong answer, judged as one
    CHECK(std::isnan(cnnbp::read_npy("npy_nan.npy", "", true, false).data.at(0)));
}

// ---- case and result files that name .npy files: {"npy": "x.npy"}, relative to the JSON file's folder

namespace {

// A conv2d case with a stride, padding, a bias and two samples; its inputs are multiples of 1/16, so that float32 and
// float16 hold them exactly.
const std::string conv_case = R"({"format": "cnnbp-case/1", "op": "conv2d",
  "params": {"stride": [2, 1], "padding": {"top": 1, "bottom": 0, "left": 0, "right": 1}},
  "inputs": {"x": [[[[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 1, 0], [1, 0, 2, 3]], [[0.5, -1, 2, 0], [1, 1, -2, 0.25], [0, 3, 1, 1], [2, 0, -1, 1]]],
                   [[[-1, 0, 2, 1], [0.75, 1, 0, 1], [2, -2, 1, 0], [1, 1, 1, 3]], [[0, 0, 1, 0], [1, -0.5, 2, 1], [0, 1, 0, 1], [1, 2, 3, 4]]]],
             "w": [[[[0.5, -1], [1, 0.25]], [[0, 1], [-0.5, 2]]], [[[1, 0], [0, -1]], [[0.125, 0.5], [1, 1]]], [[[2, 1], [-1, 0]], [[0, 0.75], [0.5, -0.25]]]],
             "b": [-0.5, 1, 0.25]},
  "dout": [[[[1, -1, 0.5, 2], [0.5, 2, -1, 1]], [[0, 1, 1, -0.5], [2, 1, 0.25, 0]], [[1, 1, -2, 0], [0.5, 0, 1, 1]]],
           [[[-1, 0, 2, 1], [1, 1, 0.5, 0]], [[0.25, -1, 0, 1], [0, 2, 1, 1]], [[1, 0, 1, -1], [2, 1, 0, 0.5]]]]})";

// The lines of a report after its first (which names the files).
std::string after_first_line(const std::string& text) { return text.substr(text.find('\n') + 1); }

// What eval printed from "expected" on.
std::string expected_part(const Run& r) {
    INFO(r.output);
    CHECK(r.status == 0);
    return r.output.substr(std::min(r.output.size(), r.output.find("\"expected\"")));
}

}  // namespace

TEST_CASE("npy: a case whose x, w and dout are .npy files is judged as the same case in JSON", "[npy][cli]") {
    file("npy_conv.json", conv_case);
    REQUIRE(run("eval npy_conv.json -o npy_conv_expected.json").status == 0);
    // x in float32, w in float64 and dout in float16 in a folder of their own, b left in the JSON; and a result whose
    // dw is a little off, so that the report shows a failure and its bound
    REQUIRE(python("npy_conv.py", R"(
import os
case = json.load(open("npy_conv.json"))
os.makedirs("npy_conv", exist_ok=True)
np.save("npy_conv/x.npy", np.array(case["inputs"]["x"], dtype=np.float32))
np.save("npy_conv/w.npy", np.array(case["inputs"]["w"]))
np.save("npy_conv/dout.npy", np.array(case["dout"], dtype=np.float16))
case["inputs"]["x"], case["inputs"]["w"], case["dout"] = {"npy": "x.npy"}, {"npy": "w.npy"}, {"npy": "dout.npy"}
json.dump(case, open("npy_conv/case.json", "w"))
result = json.load(open("npy_conv_expected.json"))["expected"]
result["dw"][0][0][0][0] += 1e-6
json.dump(result, open("npy_conv_result.json", "w"))
)") == 0);
    for (const char* dtype : {"float64", "float32"}) {
        const Run json = run("check npy_conv.json npy_conv_result.json --dtype " + std::string(dtype));
        const Run npy = run("check npy_conv/case.json npy_conv_result.json --dtype " + std::string(dtype));
        INFO(json.output << "\n" << npy.output);
        CHECK(npy.status == json.status);
        CHECK(after_first_line(npy.output) == after_first_line(json.output));
        CHECK(says(npy, std::string(dtype) == "float64" ? "dw   FAIL" : "dw   pass"));  // 1e-6 is within float32's bound
    }
    const Run gradcheck = run("gradcheck npy_conv/case.json");
    INFO(gradcheck.output);
    CHECK(gradcheck.status == 0);
    CHECK(after_first_line(gradcheck.output) == after_first_line(run("gradcheck npy_conv.json").output));
    // standard input has no folder: its references are taken from the current one
    CHECK(says(run("eval - < npy_conv/case.json"), "inputs.x: x.npy: no such file"));
    CHECK(shell("cd npy_conv && " + program() + " eval - < case.json").status == 0);
}

TEST_CASE("npy: check judges a result whose dw is a .npy file, and a NaN in it as wrong", "[npy][cli]") {
    file("npy_conv.json", conv_case);
    REQUIRE(run("eval npy_conv.json -o npy_conv_expected.json").status == 0);
    REQUIRE(python("npy_result.py", R"(
import os
expected = json.load(open("npy_conv_expected.json"))["expected"]
os.makedirs("npy_result", exist_ok=True)
dw = np.array(expected["dw"], dtype=np.float32)
np.save("npy_result/dw.npy", dw)
json.dump({"out": expected["out"], "dw": {"npy": "dw.npy"}}, open("npy_result/result.json", "w"))
dw[1, 0, 0, 1] = np.nan
np.save("npy_result/dw_nan.npy", dw)
json.dump({"dw": {"npy": "dw_nan.npy"}}, open("npy_result/result_nan.json", "w"))
)") == 0);
    const Run pass = run("check npy_conv.json npy_result/result.json --dtype float32");
    INFO(pass.output);
    CHECK(pass.status == 0);
    CHECK(says(pass, "dw   pass"));
    const Run nan = run("check npy_conv.json npy_result/result_nan.json");
    INFO(nan.output);
    CHECK(nan.status == 1);
    CHECK(says(nan, "dw   FAIL  worst element (1,0,0,1): nan"));
}

TEST_CASE("npy: suite runs a folder whose case names .npy files, sending the tensors inline", "[npy][cli][suite]") {
    std::system("rm -rf npy_suite && mkdir -p npy_suite");
    file("npy_conv.json", conv_case);
    REQUIRE(python("npy_suite.py", R"(
case = json.load(open("npy_conv.json"))
np.save("npy_suite/x.npy", np.array(case["inputs"]["x"], dtype=np.float32))
case["inputs"]["x"] = {"npy": "x.npy"}
json.dump(case, open("npy_suite/conv.json", "w"))
)") == 0);
    const Run r = run("suite npy_suite --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py'");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(says(r, "1 passed, 0 failed"));
}

TEST_CASE("npy: an implementation's answer may name a .npy file, from the folder it shares with cnnbp", "[npy][cli][suite]") {
    std::system("rm -rf npy_answer && mkdir -p npy_answer");
    file("npy_answer/relu.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[1.5, -2, 0.25]]}, "dout": [[1, 2, 3]]})");
    // relu in numpy, dx written to a file; with an argument, dx is off by one in its first element
    file("npy_answer.py", R"(import json, sys
import numpy as np
for line in sys.stdin:
    case = json.loads(line)
    x, dout = np.array(case["inputs"]["x"]), np.array(case["dout"])
    dx = np.where(x > 0, dout, 0.0)
    dx[0, 0] += len(sys.argv) - 1
    np.save("npy_answer_dx.npy", dx)
    print(json.dumps({"out": np.maximum(x, 0).tolist(), "dx": {"npy": "npy_answer_dx.npy"}}), flush=True)
)");
    const Run right = run("suite npy_answer --impl '/usr/bin/python3 npy_answer.py'");
    INFO(right.output);
    CHECK(right.status == 0);
    const Run wrong = run("suite npy_answer --impl '/usr/bin/python3 npy_answer.py wrong'");
    INFO(wrong.output);
    CHECK(wrong.status == 1);
    CHECK(says(wrong, "dx (0,0): 2 expected 1"));
}

TEST_CASE("npy: bfloat16 is read from '<u2' when the reference says so", "[npy][cli]") {
    REQUIRE(python("npy_bf16.py", R"(
x = np.array([[1.5, -2.0, 0.25, -0.0078125]], dtype=np.float32)
np.save("npy_bf16.npy", (x.view(np.uint32) >> 16).astype("<u2"))
)") == 0);
    file("npy_bf16.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": {"npy": "npy_bf16.npy", "dtype": "bfloat16"}}, "dout": [[1, 1, 1, 1]]})");
    const Run r = run("eval npy_bf16.json");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(says(r, "[1.5,0.0,0.25,0.0]"));  // relu of the float32 values, which bfloat16 holds exactly
    file("npy_u2.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": {"npy": "npy_bf16.npy"}}, "dout": [[1, 1, 1, 1]]})");
    CHECK(says(run("eval npy_u2.json"), "npy_u2.json: inputs.x: npy_bf16.npy: '<u2' (uint16) is read only as bfloat16"));
}

TEST_CASE("npy: eval and check refuse a hostile or careless .npy with exit 2, naming the file and the numbers",
          "[npy][cli][hostile]") {
    auto relu_with = [](const std::string& reference) {
        return file("npy_hostile.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": )" + reference +
                                            R"(}, "dout": [[1, 1, 1]]})");
    };
    auto refused = [](const Run& r, const std::string& message) {
        INFO(r.output);
        CHECK(r.status == 2);
        CHECK(says(r, message));
    };
    const std::string f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }";
    handmade("npy_h_huge.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", doubles(2));
    const auto start = std::chrono::steady_clock::now();
    refused(run("eval " + relu_with(R"({"npy": "npy_h_huge.npy"})")),
            "cnnbp: npy_hostile.json: inputs.x: npy_h_huge.npy: the header's shape (1000000, 1000000) has 1000000000000 "
            "elements, more than the limit of 16777216 (--max-elements)");
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 5);
    handmade("npy_h_short.npy", f8, doubles(2));
    refused(run("eval " + relu_with(R"({"npy": "npy_h_short.npy"})")), "npy_h_short.npy: truncated: ");
    handmade("npy_h_fortran.npy", "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 3), }", doubles(3));
    refused(run("eval " + relu_with(R"({"npy": "npy_h_fortran.npy"})")), "npy_h_fortran.npy: fortran_order is True");
    handmade("npy_h_big.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 3), }", doubles(3));
    refused(run("eval " + relu_with(R"({"npy": "npy_h_big.npy"})")), "npy_h_big.npy: big-endian elements ('>f8')");
    handmade("npy_h_c8.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 3), }", doubles(3));
    refused(run("eval " + relu_with(R"({"npy": "npy_h_c8.npy"})")), "npy_h_c8.npy: elements of type '<c8'");
    refused(run("eval " + relu_with(R"({"npy": "npy_h_missing.npy"})")), "inputs.x: npy_h_missing.npy: no such file");
    std::system("mkdir -p npy_h_folder");
    refused(run("eval " + relu_with(R"({"npy": "npy_h_folder"})")), "inputs.x: npy_h_folder: is a folder, not a file");
    handmade("npy_h_fine.npy", f8, doubles(3));
    CHECK(run("eval " + relu_with(R"({"npy": "npy_h_fine.npy"})")).status == 0);
    refused(run("eval --max-file-bytes 150 " + relu_with(R"({"npy": "npy_h_fine.npy"})")),
            "npy_h_fine.npy: 152 bytes, more than the 150 a case or result file may have (--max-file-bytes)");
    refused(run("eval " + relu_with(R"({"npy": "npy_h_fine.npy", "dtype": "float16"})")), "inputs.x.dtype must be \"bfloat16\"");
    refused(run("eval " + relu_with(R"({"npy": "npy_h_fine.npy", "order": "C"})")), "\"order\" is not a key of a tensor reference");
    refused(run("eval " + relu_with(R"({"npy": 5})")), "inputs.x.npy must be the path of a .npy file, got 5");
    refused(run("eval " + relu_with(R"({"file": "x.npy"})")), "inputs.x: an object where a tensor is due");
    // a result's .npy: the same rules, except that NaN is a wrong answer rather than invalid input
    relu_with("[[1, -2, 3]]");
    refused(run("check npy_hostile.json " + file("npy_h_result.json", R"({"out": {"npy": "npy_h_short.npy"}})")),
            "npy_h_result.json: out: npy_h_short.npy: truncated");
    refused(run("check npy_hostile.json --json " + file("npy_h_result.json", R"({"out": {"npy": "npy_h_big.npy"}})")),
            "\"exit_status\": 2");
}

// ---- writing: eval --npy and hunt --save --npy

TEST_CASE("npy: eval --npy writes every tensor beside OUT.json in float64, and np.load reads the JSON output's values",
          "[npy][cli]") {
    file("npy_conv.json", conv_case);
    std::system("rm -rf npy_out && mkdir -p npy_out");
    const std::string network = CNNBP_SOURCE_DIR "/golden/network_relu_maxpool_cross_entropy.json";
    for (const std::string& args : std::vector<std::string>{"eval npy_conv.json -o npy_out/conv.json --npy", "eval npy_conv.json -o npy_out/conv_plain.json",
                                    "eval " + network + " -o npy_out/net.json --npy", "eval " + network + " -o npy_out/net_plain.json"}) {
        const Run r = run(args);
        INFO(args << "\n" << r.output);
        CHECK(r.status == 0);
    }
    REQUIRE(python("npy_eval.py", R"(
import os
def tensors(doc, path=""):
    """(key path, value) of every tensor under inputs, dout and expected, as eval --npy names its files."""
    if isinstance(doc, dict) and "npy" not in doc:
        for k, v in doc.items():
            if path or k in ("inputs", "dout", "expected"):
                yield from tensors(v, f"{path}.{k}" if path else k)
    elif isinstance(doc, list) and doc and all(isinstance(v, dict) for v in doc):
        for i, v in enumerate(doc):
            yield from tensors(v, f"{path}.{i}")
    else:
        yield path, doc
for name, count in (("conv", 8), ("net", 12)):
    npy = json.load(open(f"npy_out/{name}.json"))
    plain = dict(tensors(json.load(open(f"npy_out/{name}_plain.json"))))
    found = dict(tensors(npy))
    assert sorted(found) == sorted(plain) and len(found) == count, (sorted(found), sorted(plain))
    for key, ref in found.items():
        assert ref == {"npy": f"{name}.{key}.npy"}, (key, ref)
        a = np.load(os.path.join("npy_out", ref["npy"]))
        want = np.asarray(plain[key], dtype=np.int64 if key == "inputs.labels" else np.float64)
        assert a.dtype == want.dtype and a.shape == want.shape and np.array_equal(a, want), (key, a, want)
)") == 0);
    // the written case computes to the same expected values
    CHECK(expected_part(run("eval npy_out/conv.json")) == expected_part(run("eval npy_conv.json")));
    CHECK(run("eval npy_conv.json --npy").status == 2);
    CHECK(says(run("eval npy_conv.json -o - --npy"), "eval --npy needs -o OUT.json"));
}

TEST_CASE("npy: eval without --npy keeps a case's .npy files, named from where OUT.json is", "[npy][cli]") {
    file("npy_conv.json", conv_case);
    std::system("rm -rf npy_keep && mkdir -p npy_keep/cases npy_keep/out");
    REQUIRE(python("npy_keep.py", R"(
case = json.load(open("npy_conv.json"))
np.save("npy_keep/cases/x.npy", np.array(case["inputs"]["x"]))
case["inputs"]["x"] = {"npy": "x.npy"}
json.dump(case, open("npy_keep/cases/case.json", "w"))
)") == 0);
    REQUIRE(run("eval npy_keep/cases/case.json -o npy_keep/out/case.json").status == 0);
    CHECK(says(shell("cat npy_keep/out/case.json"), R"("x": {"npy": "../cases/x.npy"})"));
    const Run from_elsewhere = shell("cd npy_keep/out && " + program() + " eval case.json");
    INFO(from_elsewhere.output);
    CHECK(from_elsewhere.status == 0);
    CHECK(expected_part(from_elsewhere) == expected_part(run("eval npy_conv.json")));
}

TEST_CASE("npy: hunt --save --npy saves the failing case's tensors beside it", "[npy][cli][hunt]") {
    std::system("rm -rf npy_hunt && mkdir -p npy_hunt");
    const Run r = run("hunt --op conv2d --cases 300 --save npy_hunt/failure.json --npy --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR
                      "/tests/bug_zoo_layers.py padding_not_cropped'");
    INFO(r.output);
    REQUIRE(r.status == 1);
    CHECK(says(r, "\"x\": ["));  // the printed case holds its numbers, the saved one names its files
    CHECK(says(shell("cat npy_hunt/failure.json"), R"("x": {"npy": "failure.inputs.x.npy"})"));
    CHECK(python("npy_hunt.py", R"(
doc = json.load(open("npy_hunt/failure.json"))
for key in ("x", "w"):
    assert np.load("npy_hunt/" + doc["inputs"][key]["npy"]).ndim == 4
assert np.load("npy_hunt/" + doc["expected"]["dx"]["npy"]).dtype == np.float64
)") == 0);
    // the saved case reproduces the failure
    CHECK(run("suite npy_hunt/failure.json --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/tests/bug_zoo_layers.py padding_not_cropped'").status == 1);
    CHECK(says(run("hunt --op relu --impl cat --save - --npy"), "hunt --npy needs --save FILE.json"));
}
