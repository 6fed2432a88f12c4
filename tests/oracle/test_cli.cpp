// build/cnnbp: the main job and --help. The build passes the program's path in as CNNBP_EXE.
#include "support/cli.hpp"

using namespace cnnbp::testing;

TEST_CASE("cnnbp --help describes the program and its commands", "[cli]") {
    const Run r = run("--help");
    CHECK(r.status == 0);
    CHECK(r.output.find("test oracle for backpropagation") != std::string::npos);
    CHECK(r.output.find("demo") != std::string::npos);
}

TEST_CASE("cnnbp demo prints the case and reports that the four forms and finite differences agree", "[cli]") {
    const Run r = run("demo");
    INFO(r.output);
    CHECK(r.status == 0);
    for (const char* part : {"out = conv2d_forward", "dx Tensor4 (1,2,4,5)", "dw Tensor4 (2,2,2,2)", "scatter", "gather",
                             "closed", "finite differences"})
        CHECK(r.output.find(part) != std::string::npos);
    CHECK(r.output.substr(r.output.size() - 3) == "OK\n");
}

TEST_CASE("cnnbp with an unknown command exits non-zero and says so", "[cli]") {
    const Run r = run("frobnicate");
    CHECK(r.status != 0);
    CHECK(r.output.find("frobnicate") != std::string::npos);
}

TEST_CASE("cnnbp tiny-cnn prints both parts with their numbers and checks them", "[cli][tiny_cnn]") {
    const Run r = run("tiny-cnn");
    INFO(r.output);
    CHECK(r.status == 0);
    for (const char* part : {"Part I:", "Part II:", "dE/dw", "dE/dz", "dE/dp", "p = 2.75"})
        CHECK(r.output.find(part) != std::string::npos);
}

namespace {
const char* small_case = R"({ "format": "cnnbp-case/1", "op": "conv2d",
  "params": { "stride": 2, "padding": {"top": 1, "bottom": 0, "left": 0, "right": 1} },
  "inputs": { "x": [[[[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 1, 0], [1, 0, 2, 3]]]],
              "w": [[[[0.5, -1], [1, 0.25]]]], "b": [-0.5] },
  "dout": [[[[1, -1], [0.5, 2]]]] })";
}  // namespace

TEST_CASE("cnnbp eval fills in expected and keeps every other field", "[cli][oracle]") {
    file("cli4_case_4.json", small_case);
    const Run r = run("eval cli4_case_4.json");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(r.output.find("\"expected\"") != std::string::npos);
    CHECK(r.output.find("\"params\"") < r.output.find("\"expected\""));  // fields keep their order, expected last
    CHECK(r.output.find("[1.0,-0.25]") != std::string::npos);          // out's first row: (-1.25 + ...) by (C1)
    const Run from_stdin = run("eval - < cli4_case_4.json");
    CHECK(from_stdin.output == r.output);
}

TEST_CASE("cnnbp check: pass, mismatch, nothing provided, and NaN in a result", "[cli][oracle]") {
    file("cli5_case_5.json", small_case);
    file("cli5_ok.json", R"({"out": [[[[1, -0.25], [0.75, 1]]]], "db": [2.5]})");
    file("cli5_bad.json", R"({"out": [[[[-1, -0.25], [0.75, 1]]]]})");
    file("cli5_none.json", "{}");
    file("cli5_nan.json", R"({"out": [[[[NaN, -0.25], [0.75, Infinity]]]]})");
    const Run ok = run("check cli5_case_5.json cli5_ok.json --dtype float32");
    INFO(ok.output);
    CHECK(ok.status == 0);
    CHECK(ok.output.find("dx   not provided") != std::string::npos);
    const Run bad = run("check cli5_case_5.json cli5_bad.json");
    CHECK(bad.status == 1);
    CHECK(bad.output.find("worst element (0,0,0,0): -1 expected 1") != std::string::npos);
    CHECK(run("check cli5_case_5.json cli5_none.json").status == 4);  // nothing provided: nothing judged
    const Run nan = run("check cli5_case_5.json cli5_nan.json --json");
    INFO(nan.output);
    CHECK(nan.status == 1);
    CHECK(nan.output.find("\"pass\": false") != std::string::npos);
    // -Infinity too is read as the non-finite number it names (it was once split into "-" and a name)
    const Run minus_inf = run("check cli5_case_5.json " + file("cli5_minus_inf.json", R"({"out": [[[[-Infinity, -0.25], [0.75, 1]]]]})"));
    INFO(minus_inf.output);
    CHECK(minus_inf.status == 1);
    CHECK(minus_inf.output.find("worst element (0,0,0,0): -inf expected 1") != std::string::npos);
}

TEST_CASE("cnnbp check and eval: invalid input exits 2 naming the file, the key and what is wrong", "[cli][oracle][errors]") {
    file("cli6_case_6.json", small_case);
    file("cli6_ok.json", R"({"out": [[[[1, -0.25], [0.75, 1]]]]})");
    struct Bad {
        const char* name;
        std::string text;
        const char* message;
    };
    const Bad cases[] = {
        {"cli6_badjson.json", "{\n  \"format\": \"cnnbp-case/1\",\n  \"op\": conv2d\n}", "cli6_badjson.json: line 3, column"},
        {"cli6_unknown_op.json", R"({"format": "cnnbp-case/1", "op": "conv3d", "inputs": {}})", "op \"conv3d\" is unknown"},
        {"cli6_unknown_param.json", R"({"format": "cnnbp-case/1", "op": "relu", "params": {"alpha": 1}, "inputs": {"x": [1]}, "dout": [1]})",
         "params.alpha is not a parameter of relu (it has none)"},
        {"cli6_missing_input.json", R"({"format": "cnnbp-case/1", "op": "linear", "inputs": {"x": [[1, 2]]}, "dout": [[1]]})",
         "inputs.w is missing: linear needs it"},
        {"cli6_nan_input.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [NaN]}, "dout": [1]})",
         "NaN is not a number a case file may hold"},
        {"cli6_ragged.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[1, 2], [3]]}, "dout": [[1, 2], [3, 4]]})",
         "inputs.x: ragged nesting"},
        {"cli6_dout_shape.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[1, 2]]}, "dout": [[1, 2, 3]]})",
         "dout has shape (1,3) but the output of relu has shape (1,2)"},
        {"cli6_bad_geometry.json", R"({"format": "cnnbp-case/1", "op": "maxpool2d", "params": {"kernel": 3, "padding": 2}, "inputs": {"x": [[[[1, 2, 3]]]]}, "dout": [[[[1]]]]})",
         "padding top = 2 is more than half the kernel height"},
        {"cli6_format.json", R"({"format": "cnnbp-case/2", "op": "relu"})", "format is \"cnnbp-case/2\" but cnnbp reads \"cnnbp-case/1\""},
    };
    for (const Bad& b : cases) {
        file(b.name, b.text);
        const Run r = run(std::string("eval ") + b.name);
        INFO(b.name << ": " << r.output);
        CHECK(r.status == 2);
        CHECK(r.output.find(b.message) != std::string::npos);
    }
    file("cli6_wrong_shape.json", R"({"out": [[[[1, -0.25, 0]]]]})");
    const Run shape = run("check cli6_case_6.json cli6_wrong_shape.json");
    CHECK(shape.status == 2);
    CHECK(shape.output.find("cli6_wrong_shape.json: out has shape (1,1,1,3) but the expected out has shape (1,1,2,2)") != std::string::npos);
    file("cli6_extra_key.json", R"({"dq": [1]})");
    const Run extra = run("check cli6_case_6.json cli6_extra_key.json");
    CHECK(extra.status == 2);
    CHECK(extra.output.find("dq is not an output of this conv2d case (out, dx, dw, db)") != std::string::npos);
    const Run dtype = run("check cli6_case_6.json cli6_ok.json --dtype float8");
    CHECK(dtype.status == 2);
    CHECK(dtype.output.find("--dtype: float8 not in {float64,float32,float16,bfloat16}") != std::string::npos);  // CLI11 lists the choices
    CHECK(run("check cli6_case_6.json missing_file.json").status == 2);
}

TEST_CASE("cnnbp gradcheck confirms the oracle on a case", "[cli][oracle]") {
    file("cli7_case_7.json", small_case);
    const Run r = run("gradcheck cli7_case_7.json");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(r.output.find("x   vs dx") != std::string::npos);
    CHECK(r.output.substr(r.output.size() - 3) == "OK\n");
}

TEST_CASE("cnnbp suite and hunt: usage errors exit 2 and an implementation that crashes fails", "[cli][hunt]") {
    const Run bad_op = run("hunt --op conv3d --impl cat");  // refused with the list of the ops hunt generates
    CHECK(bad_op.status == 2);
    CHECK(bad_op.output.find("--op: conv3d not in {pad2d,conv2d,") != std::string::npos);
    const Run bad_param = run("hunt --op conv2d --impl cat --param stride=3..1");
    CHECK(bad_param.status == 2);
    CHECK(bad_param.output.find("--param stride: 3..1 is an empty range") != std::string::npos);
    const Run bad_name = run("hunt --op conv2d --impl cat --param speed=3");
    CHECK(bad_name.status == 2);
    CHECK(bad_name.output.find("--param speed is not a parameter hunt draws for conv2d (bias, c, dilation, f, groups, h, kernel, n, padding, stride, w)") != std::string::npos);
    // an implementation that exits at once fails the first case, which is shrunk and saved
    const Run crash = run("hunt --op relu --impl 'exit 3' --cases 5 --save cli8_hunt_crash.json");
    INFO(crash.output);
    CHECK(crash.status == 1);
    CHECK(crash.output.find("exited with status 3") != std::string::npos);
    CHECK(crash.output.find("shrunk in 5 steps to relu with x (1,1,1,1)") != std::string::npos);
    // a folder that does not exist is invalid usage
    const Run missing = run("suite no_such_folder --impl 'exit 0'");
    CHECK(missing.status == 2);
    CHECK(missing.output.find("no_such_folder") != std::string::npos);
}

TEST_CASE("cnnbp --version prints the version set once in project() and exits 0", "[cli]") {
    const Run r = run("--version");
    CHECK(r.status == 0);
    CHECK(r.output == std::string("cnnbp ") + CNNBP_PROJECT_VERSION + "\n");
}
