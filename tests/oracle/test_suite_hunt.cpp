// suite and hunt as a user drives them: picking cases (-k, --op, one file), reports for people and for programs
// (the reproduce line, --json, --junitxml), several implementations at once (--jobs) and hunts split across
// machines (--shard). The implementations are the numpy example and its bug zoo (tests/bug_zoo_layers.py).
#include "support/cli.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace cnnbp::testing;

namespace {

const std::string golden = CNNBP_SOURCE_DIR "/golden";
const std::string numpy = "--impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py'";

std::string zoo(const std::string& mistake) {
    return "--impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/tests/bug_zoo_layers.py " + mistake + "'";
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The lines of a file, sorted.
std::vector<std::string> sorted_lines(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(read(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

}  // namespace

TEST_CASE("suite -k and --op pick cases; a case file alone is a suite of one", "[cli][suite]") {
    // conv2d_depthwise, conv2d_dilation and maxpool2d_dilation by name; then the conv2d ones by op
    const Run picked = run("suite " + golden + " -k conv2d_d -k maxpool2d_d --op conv2d --op relu " + numpy);
    INFO(picked.output);
    CHECK(picked.status == 0);
    CHECK(says(picked, "conv2d                         2       0"));
    CHECK(says(picked, "2 passed, 0 failed"));
    CHECK(!says(picked, "maxpool2d"));
    const Run one = run("suite " + golden + "/relu_with_a_zero.json " + numpy);
    CHECK(one.status == 0);
    CHECK(says(one, "1 passed, 0 failed"));
    const Run none = run("suite " + golden + " -k no_such_case " + numpy);
    CHECK(none.status == 2);
    CHECK(says(none, "no .json case files whose name holds a -k word"));
    CHECK(run("suite " + golden + " --op conv3d " + numpy).status == 2);
}

TEST_CASE("suite and hunt print a command that reproduces each failure, and it does, as printed", "[cli][suite][hunt]") {
    // the line after "reproduce: ", run through the shell as a user would paste it
    const auto reproduce = [](const Run& r) {
        const auto at = r.output.find("reproduce: ");
        REQUIRE(at != std::string::npos);
        return r.output.substr(at + 11, r.output.find('\n', at) - at - 11);
    };
    const Run suite = run("suite " + golden + " --op conv2d " + zoo("padding_not_cropped"));
    INFO(suite.output);
    CHECK(suite.status == 1);
    const std::string command = reproduce(suite);
    CHECK(command.rfind(program() + " suite '", 0) == 0);  // the program as it was invoked, not a bare `cnnbp`
    const Run again = shell(command);
    CHECK(again.status == 1);
    CHECK(says(again, "0 passed, 1 failed"));
    const Run hunt = run("hunt --op conv2d --cases 300 --save suite_hunt_repro.json " + zoo("padding_not_cropped"));
    CHECK(hunt.status == 1);
    CHECK(reproduce(hunt) == program() + " suite 'suite_hunt_repro.json' --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR
                             "/tests/bug_zoo_layers.py padding_not_cropped'");
    CHECK(shell(reproduce(hunt)).status == 1);
    CHECK(run("suite suite_hunt_repro.json " + numpy).status == 0);  // the correct example passes the saved case
}

TEST_CASE("suite, hunt, check and gradcheck --json: reports are JSON, errors included", "[cli][suite][hunt]") {
    using json = nlohmann::json;
    const std::string quiet = "2>/dev/null";  // standard output alone
    const Run suite = run("suite " + golden + " --op relu --json " + numpy, quiet);
    INFO(suite.output);
    CHECK(suite.status == 0);
    const json s = json::parse(suite.output);
    CHECK(s["totals"]["passed"] == s["cases"].size());
    CHECK(s["exit_status"] == 0);
    const Run failing = run("hunt --op conv2d --cases 300 --json --save suite_hunt_json.json " + zoo("filter_not_rotated"), quiet);
    const json h = json::parse(failing.output);
    CHECK(failing.status == 1);
    CHECK(h["outcome"] == "wrong answer");
    CHECK(h["exit_status"] == 1);
    CHECK(h["reproduce"].get<std::string>().find(" suite 'suite_hunt_json.json' --impl") != std::string::npos);
    // errors: a JSON object on standard output, the message on standard error too
    const Run usage = run("hunt --op conv2d --impl cat --shard 2/2 --json", quiet);
    CHECK(usage.status == 2);
    const json u = json::parse(usage.output);
    CHECK(u["exit_status"] == 2);
    CHECK(u["error"].get<std::string>().find("--shard must be K/N with 0 <= K < N") != std::string::npos);
    const Run check = run("check " + golden + "/relu_with_a_zero.json no_such_result.json --json", quiet);
    CHECK(check.status == 2);
    CHECK(json::parse(check.output)["error"].get<std::string>().find("no_such_result.json") != std::string::npos);
    const Run wrong_shape = run("check " + golden + "/relu_with_a_zero.json " +
                                file("suite_hunt_shape.json", R"({"out": [1, 2, 3]})") + " --json", quiet);
    CHECK(wrong_shape.status == 2);
    CHECK(json::parse(wrong_shape.output)["meaning"] == "invalid input or usage");
    const Run gradcheck = run("gradcheck " + golden + "/conv2d_dilation.json --json", quiet);
    CHECK(gradcheck.status == 0);
    const json g = json::parse(gradcheck.output);
    CHECK(g["rows"].size() == 3);  // x, w, b
    CHECK(g["rows"][0]["worst_relative"].get<double>() < 1e-6);
}

TEST_CASE("suite --junitxml writes a JUnit report: failures, skipped cases and passes", "[cli][suite]") {
    const Run r = run("suite " + golden + " --op conv2d --op relu --junitxml suite_hunt.xml " + zoo("padding_not_cropped"));
    CHECK(r.status == 1);
    const std::string xml = read("suite_hunt.xml");
    CHECK(xml.find("<testsuite name=\"cnnbp suite\"") != std::string::npos);
    CHECK(xml.find("<testcase classname=\"relu\" name=\"relu_with_a_zero\"/>") != std::string::npos);
    CHECK(xml.find("<failure type=\"failed\" message=\"dx ") != std::string::npos);
    const Run unwritable = run("suite " + golden + " --op relu --junitxml no_such_folder/report.xml " + numpy);
    CHECK(unwritable.status == 2);
    CHECK(says(unwritable, "no_such_folder/report.xml: cannot be written"));
}

TEST_CASE("suite and hunt --jobs: the same report and the same minimal case as one implementation", "[cli][suite][hunt]") {
    const Run one = run("suite " + golden + " " + zoo("maxpool_spread"));
    const Run two = run("suite " + golden + " --jobs 2 " + zoo("maxpool_spread"));
    INFO(one.output);
    CHECK(one.status == 1);
    CHECK(one.output == two.output);
    CHECK(run("suite " + golden + " -x " + zoo("maxpool_spread")).output ==
          run("suite " + golden + " -x --jobs 2 " + zoo("maxpool_spread")).output);
    for (const char* mistake : {"ceil_mode_keeps_window_in_padding", "avgpool_kernel_area"}) {
        const std::string op = std::string(mistake).find("ceil") == 0 ? "maxpool2d" : "avgpool2d";
        const Run serial = run("hunt --op " + op + " --cases 300 --save suite_hunt_j1.json " + zoo(mistake));
        const Run parallel = run("hunt --op " + op + " --cases 300 --jobs 2 --save suite_hunt_j2.json " + zoo(mistake));
        INFO(serial.output);
        CHECK(serial.status == 1);
        CHECK(parallel.status == 1);
        CHECK(read("suite_hunt_j1.json") == read("suite_hunt_j2.json"));
        const auto head = [](const std::string& text) { return text.substr(0, text.find("the minimal case")); };
        CHECK(head(serial.output) == head(parallel.output));
    }
    // no failure: the same counts and coverage (the first line also says how many cases per second)
    const auto counts = [](const Run& r) { return r.output.substr(r.output.find(" cases/s)")); };
    const Run fine = run("hunt --op conv2d --cases 500 --jobs 2 --coverage " + numpy);
    CHECK(fine.status == 0);
    CHECK(counts(fine) == counts(run("hunt --op conv2d --cases 500 --coverage " + numpy)));
    CHECK(run("hunt --op conv2d --jobs 0 " + numpy).status == 2);
}

TEST_CASE("hunt --shard K/N: the shards together draw exactly the cases of the whole hunt", "[cli][hunt]") {
    // an implementation that records every case it is sent, and supports none
    const std::string recorder = "--impl 'while read line; do echo \"$line\" >> %s; echo \"{\\\"unsupported\\\": \\\"recording\\\"}\"; done'";
    auto recording = [&](const std::string& log) {
        std::remove(log.c_str());
        std::string impl = recorder;
        return impl.replace(impl.find("%s"), 2, log);
    };
    CHECK(run("hunt --op conv2d --cases 40 --seed 7 " + recording("shard_whole.log")).status == 4);  // nothing judged
    for (int k = 0; k < 3; ++k)
        CHECK(run("hunt --op conv2d --cases 40 --seed 7 --shard " + std::to_string(k) + "/3 " +
                  recording("shard_" + std::to_string(k) + ".log")).status == 4);
    std::vector<std::string> parts;
    for (int k = 0; k < 3; ++k) {
        const std::vector<std::string> part = sorted_lines("shard_" + std::to_string(k) + ".log");
        CHECK(part.size() >= 10);  // about a third of 40 each
        parts.insert(parts.end(), part.begin(), part.end());
    }
    std::sort(parts.begin(), parts.end());
    const std::vector<std::string> whole = sorted_lines("shard_whole.log");
    CHECK(whole.size() >= 35);  // a few draws may break a rule and be skipped, in the whole and in the shards alike
    CHECK(parts == whole);
    for (const char* bad : {"3/3", "1", "a/b", "-1/3", "0/0"}) CHECK(run(std::string("hunt --op conv2d --impl cat --shard ") + bad).status == 2);
}

TEST_CASE("eval --canonical writes every parameter in full, as suite and hunt send cases", "[cli][suite]") {
    using json = nlohmann::json;
    const Run r = run("eval --canonical " + file("suite_hunt_short.json", R"({"format": "cnnbp-case/1", "op": "conv2d",
        "params": {"stride": 2, "padding": 1}, "inputs": {"x": [[[[1, 2], [3, 4]]]], "w": [[[[1]]]]}, "dout": [[[[1, 1], [1, 1]]]]})"));
    INFO(r.output);
    REQUIRE(r.status == 0);
    const json doc = json::parse(r.output);
    CHECK(doc["params"]["stride"] == json::array({2, 2}));
    CHECK(doc["params"]["padding"] == json({{"top", 1}, {"bottom", 1}, {"left", 1}, {"right", 1}}));
    CHECK(doc["params"]["dilation"] == json::array({1, 1}));
    CHECK(doc["params"]["groups"] == 1);
    CHECK(doc.contains("expected"));
    // what suite sends is that: an implementation that echoes the stride it got sees a pair
    const std::string echo = "--impl 'read line; echo \"$line\" > suite_hunt_sent.json; echo \"{\\\"unsupported\\\": \\\"x\\\"}\"'";
    run("suite suite_hunt_short.json " + echo);
    CHECK(json::parse(read("suite_hunt_sent.json"))["params"]["stride"] == json::array({2, 2}));
}

TEST_CASE("hunt --exact judges integer cases with tolerance 0: an answer one float32 ulp off is caught, which the bound lets through", "[cli][hunt][exact]") {
    // the numpy example in float32, its first output element moved to the next float32 up
    file("exact_nudge.py", "import json, sys\nimport numpy as np\n"
                           "def first(v):\n    return first(v[0]) if isinstance(v[0], list) else v\n"
                           "for line in sys.stdin:\n    a = json.loads(line)\n    row = first(a['out'])\n"
                           "    row[0] = float(np.nextafter(np.float32(row[0]), np.float32(np.inf)))\n"
                           "    print(json.dumps(a), flush=True)\n");
    const std::string nudged = "--impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py --dtype float32 | "
                               "/usr/bin/python3 exact_nudge.py' --dtype float32 --cases 30 --save exact-nudge.json";
    const Run bounded = run("hunt --op conv2d " + nudged);
    INFO(bounded.output);
    CHECK(bounded.status == 0);  // within the bound: a rounding could do that
    const Run exact = run("hunt --op conv2d --exact " + nudged);
    INFO(exact.output);
    CHECK(exact.status == 1);
    CHECK(says(exact, "bound 0)"));
    CHECK(read("exact-nudge.json").find("\"exact\": true") != std::string::npos);
    // the correct example passes exact hunts, in float32 and in float16 (its float16 sums of small integers are exact)
    for (const std::string op : {"conv2d", "conv_transpose2d", "linear", "maxpool2d"}) {
        INFO(op);
        CHECK(run("hunt --exact --op " + op + " --cases 100 --dtype float32 --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR
                  "/examples/numpy_layers.py --dtype float32'").status == 0);
    }
    CHECK(run("hunt --exact --op conv2d --cases 100 --dtype float16 --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR
              "/examples/numpy_layers.py --dtype float16'").status == 0);
    // an op that divides cannot be drawn exact
    const Run avg = run("hunt --exact --op avgpool2d " + numpy);
    CHECK(avg.status == 2);
    CHECK(says(avg, "avgpool2d divides or takes a function"));
}
