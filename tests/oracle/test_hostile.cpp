// What a hostile or careless user feeds cnnbp: each input below once crashed it, hung it, exhausted the machine or
// got a wrong verdict. Now each is refused with exit 2 and a message naming the key and the numbers, or judged as what
// it is. The limits are those of src/lib/cnnbp/core/limits.hpp.
#include "support/cli.hpp"

#include <chrono>
#include <initializer_list>
#include <string>

using namespace cnnbp::testing;

namespace {

const std::string relu_case = R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[1, -2]]}, "dout": [[1, 1]]})";

std::string nested(std::size_t depth) { return std::string(depth, '[') + "1" + std::string(depth, ']'); }

// An empty folder `dir` (emptied if it was there) holding one copy of `text` per name in `files`.
std::string fresh_folder(const std::string& dir, std::initializer_list<const char*> files, const std::string& text = relu_case) {
    std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str());
    for (const char* name : files) file(dir + "/" + name, text);
    return dir;
}

// Runs the command and checks that it ends within `seconds`.
Run quickly(const std::string& args, double seconds = 5.0) {
    const auto start = std::chrono::steady_clock::now();
    Run r = run(args);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds);
    return r;
}

}  // namespace

TEST_CASE("hostile JSON: deep nesting, numbers beyond double and duplicate keys are invalid input", "[cli][hostile]") {
    const std::string deep = nested(200000);
    // in a case's tensor, in an extra field of a case, and in a result given to check
    for (const std::string& doc :
         {R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": )" + deep + R"(}, "dout": [[1]]})",
          R"({"format": "cnnbp-case/1", "op": "relu", "note": )" + deep + R"(, "inputs": {"x": [[1]]}, "dout": [[1]]})"}) {
        const Run r = quickly("eval " + file("hostile_deep.json", doc));
        INFO(r.output.substr(0, 400));
        CHECK(r.status == 2);
        CHECK(says(r, "nested deeper than 64 levels"));
    }
    const Run result = quickly("check " + file("hostile_relu.json", relu_case) + " " +
                               file("hostile_deep_result.json", R"({"out": )" + deep + "}"));
    CHECK(result.status == 2);
    CHECK(says(result, "nested deeper than 64 levels"));

    const Run huge = run("eval " + file("hostile_1e400.json", R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[1e400]]}, "dout": [[1]]})"));
    CHECK(huge.status == 2);
    CHECK(says(huge, "1e400 is outside the range of a double"));

    const Run twice = run("eval " + file("hostile_dup.json", R"({"format": "cnnbp-case/1", "op": "relu", "op": "tanh", "inputs": {"x": [[1]]}, "dout": [[1]]})"));
    CHECK(twice.status == 2);
    CHECK(says(twice, "the key \"op\" appears twice"));
}

TEST_CASE("hostile results: a number beyond double in an answer is a wrong element, not an internal error", "[cli][hostile]") {
    const Run r = run("check " + file("hostile_relu.json", relu_case) + " " + file("hostile_inf_result.json", R"({"out": [[1e400, 0]]})"));
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(says(r, "out  FAIL  worst element (0,0): inf expected 1"));
}

TEST_CASE("hostile magnitudes: a case whose numbers overflow double judges no answer as right", "[cli][hostile]") {
    const std::string overflow = R"({"format": "cnnbp-case/1", "op": "linear", "inputs": {"x": [[1e300, 1e300]], "w": [[1e300, 1e300]]}, "dout": [[1]]})";
    for (const char* answer : {R"({"out": [[12345]]})", R"({"out": [[NaN]]})"}) {
        const Run r = run("check " + file("hostile_overflow.json", overflow) + " " + file("hostile_any.json", answer));
        INFO(r.output);
        CHECK(r.status != 0);
        CHECK(says(r, "NOT JUDGED") != says(r, "FAIL"));
        CHECK(says(r, "has no finite bound"));
    }
    const Run e = run("eval hostile_overflow.json");
    CHECK(e.status == 2);
    CHECK(says(e, "overflow double"));
}

TEST_CASE("hostile labels: a fractional or huge label is refused, never converted", "[cli][hostile]") {
    for (const char* label : {"1e300", "0.5", "-1"}) {
        const Run r = run("eval " + file("hostile_label.json", std::string(R"({"format": "cnnbp-case/1", "op": "softmax_cross_entropy", "inputs": {"z": [[1, 2]], "labels": [)") + label + "]}}"));
        INFO(r.output);
        CHECK(r.status == 2);
        CHECK(says(r, "inputs.labels[0]"));
    }
}

TEST_CASE("hostile sizes: what a small file asks for is refused at once, before any allocation or loop", "[cli][hostile]") {
    const Run pad = quickly("eval " + file("hostile_pad.json", R"({"format": "cnnbp-case/1", "op": "pad2d", "params": {"padding": 1000000}, "inputs": {"x": [[[[1]]]]}, "dout": [[[[1]]]]})"), 2.0);
    CHECK(pad.status == 2);
    CHECK(says(pad, "pad2d's output would be 1 x 1 x 2000001 x 2000001"));
    CHECK(says(pad, "--max-elements"));
    const Run pool = quickly("eval " + file("hostile_pool.json", R"({"format": "cnnbp-case/1", "op": "maxpool2d", "params": {"kernel": 1000000, "padding": 500000}, "inputs": {"x": [[[[1]]]]}, "dout": [[[[1]]]]})"), 2.0);
    CHECK(pool.status == 2);
    CHECK(says(pool, "maxpool2d's work"));
    CHECK(says(pool, "--max-work"));
    std::string column = "[";
    for (int k = 0; k < 7000; ++k) column += (k ? ",[1]" : "[1]");
    column += "]";
    const Run linear = quickly("eval " + file("hostile_linear.json", R"({"format": "cnnbp-case/1", "op": "linear", "inputs": {"x": )" + column + R"(, "w": )" + column + R"(}, "dout": [[1]]})"), 2.0);
    CHECK(linear.status == 2);
    CHECK(says(linear, "linear's output would be 7000 x 7000 = 49000000, more than the limit of 16777216"));
    std::string kernel = "[[[";  // one 16 x 16 filter over one channel: within the work limit, but im2col would not be
    for (int r = 0; r < 16; ++r) kernel += std::string(r ? "," : "") + "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]";
    kernel += "]]]";
    const Run conv = quickly("eval " + file("hostile_conv.json", R"({"format": "cnnbp-case/1", "op": "conv2d", "params": {"padding": 400}, "inputs": {"x": [[[[1]]]], "w": )" + kernel + R"(}, "dout": [[[[1]]]]})"), 2.0);
    INFO(conv.output);
    CHECK(conv.status == 2);
    CHECK(says(conv, "conv2d's im2col matrix"));
    std::string layers = "[";
    for (int k = 0; k < 1001; ++k) layers += (k ? R"(,{"op":"relu"})" : R"({"op":"relu"})");
    layers += "]";
    const Run deep_net = quickly("eval " + file("hostile_layers.json", R"({"format": "cnnbp-case/1", "op": "sequential", "params": {"layers": )" + layers + R"(, "loss": "mse"}, "inputs": {"x": [[1]], "y": [[1]], "layer_params": []}})"), 2.0);
    CHECK(deep_net.status == 2);
    CHECK(says(deep_net, "more than the limit of 1000"));
    const Run zero = quickly("eval /dev/zero", 5.0);
    CHECK(zero.status == 2);
    CHECK(says(zero, "--max-file-bytes"));
    const Run folder = run("eval .");
    CHECK(folder.status == 2);
    CHECK(says(folder, "is a folder"));
}

TEST_CASE("hostile writes: a write that fails is exit 2 with the path and the reason", "[cli][hostile]") {
    file("hostile_relu.json", relu_case);
    const Run full = run("eval hostile_relu.json -o /dev/full");
    CHECK(full.status == 2);
    CHECK(says(full, "/dev/full: cannot be written"));
    const Run missing = run("eval hostile_relu.json -o no_such_folder/out.json");
    CHECK(missing.status == 2);
    CHECK(says(missing, "no_such_folder/out.json: cannot be written"));
    const Run onto_file = run("golden --out hostile_relu.json");
    CHECK(onto_file.status == 2);
    CHECK(says(onto_file, "hostile_relu.json: is not a folder"));
    const Run save = run("hunt --op relu --impl 'exit 3' --cases 1 --save no_such_folder/failure.json");
    CHECK(save.status == 2);
    CHECK(says(save, "no_such_folder/failure.json: cannot be written"));
}

TEST_CASE("hostile usage: hunt refuses pins outside the op's ranges and a timeout that is not a positive number", "[cli][hostile]") {
    const Run m = quickly("hunt --op softmax_cross_entropy --param m=0 --impl cat");
    CHECK(m.status == 2);
    CHECK(says(m, "--param m=0..0 is outside 2..5"));
    const Run stride = quickly("hunt --op maxpool2d --param stride=0 --param ceil_mode=1 --impl cat");
    CHECK(stride.status == 2);
    CHECK(says(stride, "--param stride=0..0 is outside 1..3"));
    for (const char* t : {"nan", "0", "-1", "inf"}) {
        const Run r = quickly(std::string("hunt --op relu --impl cat --timeout ") + t);
        INFO(t << ": " << r.output);
        CHECK(r.status == 2);
        CHECK(says(r, "--timeout must be a positive number of seconds"));
    }
}

TEST_CASE("hostile networks: a sequential case with a dout is invalid (its gradients are those of the loss)", "[cli][hostile]") {
    for (const char* dout : {"2", "[[1]]"}) {
        const Run r = run("gradcheck " + file("hostile_net.json", std::string(R"({"format": "cnnbp-case/1", "op": "sequential", "params": {"layers": [{"op": "linear"}], "loss": "mse"}, "inputs": {"x": [[1, 2]], "y": [[1]], "layer_params": [{"w": [[0.5, 0.25]]}]}, "dout": )") + dout + "}"));
        INFO(r.output);
        CHECK(r.status == 2);
        CHECK(says(r, "a sequential case has none"));
    }
}

TEST_CASE("vacuous passes: nothing judged is exit 4, not a pass", "[cli][hostile]") {
    fresh_folder("hostile_suite", {"relu.json"});
    const Run all_unsupported = run("suite hostile_suite --impl 'while read line; do echo \"{\\\"unsupported\\\": \\\"no\\\"}\"; done'");
    INFO(all_unsupported.output);
    CHECK(all_unsupported.status == 4);
    CHECK(says(all_unsupported, "nothing was judged"));
    const Run none_drawn = run("hunt --op conv2d --impl cat --cases 0");
    CHECK(none_drawn.status == 4);
    CHECK(says(none_drawn, "nothing was judged"));
}

TEST_CASE("suite: one bad case file is one failed row, and the run goes on", "[cli][hostile]") {
    fresh_folder("hostile_mixed", {"a_good.json"});
    file("hostile_mixed/b_bad.json", "{ not json");
    const Run r = run("suite hostile_mixed --impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py'");
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(says(r, "1 passed, 1 failed"));
    CHECK(says(r, "b_bad.json: invalid case"));
}

TEST_CASE("implementations that misbehave: closed output, unread input, a missing command, a crash", "[cli][hostile]") {
    fresh_folder("hostile_impl", {"relu.json"});
    // closes its standard output and lives on: reported, not waited for
    const Run closed = quickly("suite hostile_impl --timeout 2 --impl 'exec >&-; sleep 30'", 10.0);
    INFO(closed.output);
    CHECK(closed.status == 1);
    CHECK(says(closed, "closed its output without exiting"));
    // never reads a case larger than the pipe's buffer: the write is bounded by the timeout too
    std::string big = R"({"format": "cnnbp-case/1", "op": "relu", "inputs": {"x": [[)";
    for (int k = 0; k < 40000; ++k) big += k ? ",0.5" : "0.5";
    big += R"(]]}, "dout": [[)";
    for (int k = 0; k < 40000; ++k) big += k ? ",1" : "1";
    big += "]]}";
    fresh_folder("hostile_big", {"big.json"}, big);
    const Run unread = quickly("suite hostile_big --timeout 1 --startup-timeout 0 --impl 'sleep 30'", 10.0);
    INFO(unread.output);
    CHECK(unread.status == 1);
    CHECK(says(unread, "the case was not read within"));
    // a command that does not exist is invalid usage, not a wrong answer to shrink
    const Run missing = quickly("hunt --op relu --impl 'no_such_program_cnnbp' --cases 3");
    CHECK(missing.status == 2);
    CHECK(says(missing, "could not be run"));
    // a crash says which signal
    const Run crash = quickly("suite hostile_impl --impl 'kill -SEGV $$'");
    CHECK(crash.status == 1);
    CHECK(says(crash, "signal 11"));
}

TEST_CASE("implementations that misbehave: a timed-out implementation leaves no process behind", "[cli][hostile]") {
    // the shell starts a child that would outlive it; the whole process group goes on the timeout
    const Run r = quickly("suite hostile_impl --timeout 1 --startup-timeout 0 --impl 'sleep 1234.5; cat'", 10.0);
    CHECK(r.status == 1);
    CHECK(says(r, "no answer within"));
    CHECK(std::system("pgrep -f 'sleep 1234[.]5' > /dev/null") != 0);  // [.]: the pattern must not match pgrep's own shell
}

TEST_CASE("implementations that misbehave: a failure that does not reproduce in a fresh process is reported as flaky", "[cli][hostile]") {
    std::remove("hostile_flaky_marker");
    // wrong on its very first answer only (a marker file remembers), right afterwards: shrinking sees no failure, and
    // the fresh process passes the first case again
    const std::string impl = "'if [ -e hostile_flaky_marker ]; then exec /usr/bin/python3 " CNNBP_SOURCE_DIR
                             "/examples/numpy_layers.py; else touch hostile_flaky_marker; read line; echo \"{\\\"out\\\": [[999]]}\"; "
                             "exec /usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py; fi'";
    const Run r = quickly("hunt --op relu --cases 20 --save hostile_flaky.json --impl " + impl, 30.0);
    INFO(r.output);
    CHECK(r.status == 1);
    CHECK(says(r, "FLAKY"));
    std::remove("hostile_flaky_marker");
}

TEST_CASE("implementations that misbehave: a slow start-up does not count against the first answer", "[cli][hostile]") {
    const Run r = quickly("suite hostile_impl --timeout 1 --impl 'sleep 2; exec /usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py'", 20.0);
    INFO(r.output);
    CHECK(r.status == 0);
}

TEST_CASE("hostile parameters: a stride of 2^64-1 is reported as the number it is", "[cli][hostile]") {
    const Run r = run("eval " + file("hostile_stride.json", R"({"format": "cnnbp-case/1", "op": "conv2d", "params": {"stride": 18446744073709551615}, "inputs": {"x": [[[[1]]]], "w": [[[[1]]]]}, "dout": [[[[1]]]]})"));
    INFO(r.output);
    CHECK(r.status == 2);
    CHECK(says(r, "params.stride must be between 1 and 1000000, got 18446744073709551615"));
}

TEST_CASE("limits: the command line can lower or raise each limit, before or after the command", "[cli][hostile]") {
    file("hostile_pad1.json", R"({"format": "cnnbp-case/1", "op": "pad2d", "params": {"padding": 1}, "inputs": {"x": [[[[1]]]]}, "dout": [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]})");
    CHECK(run("eval hostile_pad1.json").status == 0);
    const Run lowered = run("eval hostile_pad1.json --max-elements 8");
    CHECK(lowered.status == 2);
    CHECK(says(lowered, "pad2d's output would be 1 x 1 x 3 x 3 = 9, more than the limit of 8 (--max-elements)"));
    CHECK(run("--max-elements 8 eval hostile_pad1.json").status == 2);
    CHECK(run("eval hostile_pad1.json --max-file-bytes 10").status == 2);
    std::string layers = "[";
    for (int k = 0; k < 1001; ++k) layers += (k ? R"(,{"op":"relu"})" : R"({"op":"relu"})");
    layers += "]";
    std::string params = "[";
    for (int k = 0; k < 1001; ++k) params += (k ? ",{}" : "{}");
    params += "]";
    file("hostile_long_net.json", R"({"format": "cnnbp-case/1", "op": "sequential", "params": {"layers": )" + layers +
                                      R"(, "loss": "mse"}, "inputs": {"x": [[1]], "y": [[1]], "layer_params": )" + params + "}}");
    CHECK(run("eval hostile_long_net.json").status == 2);
    const Run raised = run("eval hostile_long_net.json --max-layers 2000");
    INFO(raised.output.substr(0, 300));
    CHECK(raised.status == 0);
}

TEST_CASE("implementations that misbehave: a flood on standard error neither blocks the run nor fills memory", "[cli][hostile]") {
    fresh_folder("hostile_impl", {"relu.json"});
    // 20 MB on standard error before every start, far beyond a pipe's 64 KiB: read as it comes, so the answers flow
    const std::string flood = "head -c 20000000 /dev/zero | tr '\\\\0' x >&2; ";
    const Run right = quickly("suite hostile_impl --impl \"" + flood + "exec /usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py\"", 20.0);
    INFO(right.output.substr(0, 2000));
    CHECK(right.status == 0);
    CHECK(right.output.size() < 10000);
    // a crash after the flood: the report shows the end of what it said (the traceback), and only the end
    const Run crash = quickly("suite hostile_impl --impl \"" + flood + "echo 'ValueError: the last words' >&2; exit 1\"", 20.0);
    INFO(crash.output.substr(0, 2000));
    CHECK(crash.status == 1);
    CHECK(says(crash, "exited with status 1 without answering; the end of its standard error (last 4 KiB):"));
    CHECK(says(crash, "ValueError: the last words"));
    CHECK(crash.output.size() < 10000);
}

TEST_CASE("incomplete answers: an answer that leaves outputs out is its own outcome and exit status, or passes --require", "[cli][hostile]") {
    fresh_folder("hostile_partial", {"relu.json"});
    const std::string forward_only = "--impl 'while read line; do echo \"{\\\"out\\\": [[1, 0]]}\"; done'";
    const Run by_default = run("suite hostile_partial " + forward_only);
    INFO(by_default.output);
    CHECK(by_default.status == 5);
    CHECK(says(by_default, "INCOMPLETE hostile_partial/relu.json: the answer leaves out dx"));
    CHECK(says(by_default, "1 incomplete"));
    CHECK(run("suite hostile_partial --require out " + forward_only).status == 0);
    CHECK(run("suite hostile_partial --require any " + forward_only).status == 0);
    CHECK(run("suite hostile_partial --require out,dx " + forward_only).status == 5);
    const Run typo = run("suite hostile_partial --require dX " + forward_only);
    CHECK(typo.status == 2);
    CHECK(says(typo, "--require must be all, any, or a comma-separated list"));
    // a wrong element is still a failure, whatever is left out
    CHECK(run("suite hostile_partial --impl 'while read line; do echo \"{\\\"out\\\": [[2, 0]]}\"; done'").status == 1);
    // hunt: the numpy example with dx taken out of every answer
    file("hostile_drop_dx.py", "import json, sys\nfor line in sys.stdin:\n    a = json.loads(line)\n    a.pop('dx', None)\n"
                               "    print(json.dumps(a), flush=True)\n");
    const std::string no_dx = "--impl '/usr/bin/python3 " CNNBP_SOURCE_DIR "/examples/numpy_layers.py | /usr/bin/python3 hostile_drop_dx.py'";
    const Run hunted = run("hunt --op relu --cases 20 " + no_dx);
    INFO(hunted.output);
    CHECK(hunted.status == 5);
    CHECK(says(hunted, "20 incomplete"));
    CHECK(says(hunted, "the answer leaves out dx"));
    CHECK(run("hunt --op relu --cases 20 --require out " + no_dx).status == 0);
}

TEST_CASE("suite -x stops at the first failed case and says how many were not run", "[cli][hostile]") {
    fresh_folder("hostile_three", {"a.json", "b.json", "c.json"});
    const std::string wrong = "--impl 'while read line; do echo \"{\\\"out\\\": [[2, 0]]}\"; done'";
    const Run all = run("suite hostile_three " + wrong);
    CHECK(all.status == 1);
    CHECK(says(all, "0 passed, 3 failed"));
    const Run first = run("suite hostile_three -x " + wrong);
    INFO(first.output);
    CHECK(first.status == 1);
    CHECK(says(first, "0 passed, 1 failed"));
    CHECK(says(first, "stopped at the first failure, -x: 2 cases not run"));
}

TEST_CASE("implementations that misbehave: garbage and huge answer lines fail their case, in linear time, and the run goes on", "[cli][hostile]") {
    fresh_folder("hostile_two", {"a.json", "b.json"});
    const std::string right = R"({\"out\": [[1, 0]], \"dx\": [[1, 0]]})";
    // garbage for every case: each fails as malformed, and both are judged
    const Run garbage = quickly("suite hostile_two --impl 'while read line; do echo \"not json\"; done'");
    INFO(garbage.output);
    CHECK(garbage.status == 1);
    CHECK(says(garbage, "0 passed, 2 failed"));
    CHECK(says(garbage, "malformed answer"));
    // an answer line of 100 MB (whitespace, then the right answer) is read in linear time and judged: about a second
    // here (60 s leaves room for a sanitizer build; read in quadratic time, it took minutes)
    fresh_folder("hostile_one", {"a.json"});
    const Run long_line = quickly("suite hostile_one --impl 'while read line; do head -c 100000000 /dev/zero | tr \"\\\\0\" \" \"; "
                                  "echo \"" + right + "\"; done'", 60.0);
    INFO(long_line.output);
    CHECK(long_line.status == 0);
    CHECK(says(long_line, "1 passed, 0 failed"));
    // a line longer than --max-file-bytes is cut off there: a failure, and the next case gets a fresh process
    const Run too_long = quickly("suite hostile_two --max-file-bytes 1000000 --impl 'while read line; do head -c 5000000 /dev/zero; "
                                 "echo; done'", 10.0);
    INFO(too_long.output);
    CHECK(too_long.status == 1);
    CHECK(says(too_long, "an answer line longer than 1000000 bytes (--max-file-bytes)"));
    CHECK(says(too_long, "0 passed, 2 failed"));
}
