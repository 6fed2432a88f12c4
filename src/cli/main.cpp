// build/cnnbp: the command-line face of the cnnbp oracle.
#include "cnnbp/cnnbp.hpp"
#include "cnnbp/core/limits.hpp"
#include "cnnbp/version.hpp"  // generated from project(cnnbp VERSION ...) in CMakeLists.txt
#include "demo.hpp"
#include "docs/artifacts.hpp"
#include "oracle_commands.hpp"
#include "suite.hpp"
#include "hunt.hpp"
#include "tiny_cnn_report.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace {

// Whether the command line asks for a JSON report: then an error is a JSON object on standard output too, so that a
// program reading the report always gets JSON.
bool wants_json(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--json") return true;
    return false;
}

int json_error(const std::string& message, int status) {
    std::cout << nlohmann::ordered_json{{"error", message}, {"exit_status", status},
                                        {"meaning", cnnbp::cli::exit_meaning(status)}}.dump(2)
              << '\n';
    std::cerr << "cnnbp: " << message << '\n';
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 0 && argv[0][0] != '\0') cnnbp::cli::invoked_as = argv[0];
    CLI::App app{
        "cnnbp: a reference implementation and test oracle for backpropagation in convolutional networks.\n"
        "Every backward computes the gradient of <out, dout> with respect to each input."};
    app.set_version_flag("--version", "cnnbp " CNNBP_VERSION, "Print the version and exit");
    app.require_subcommand(1);
    // What one case may ask for (src/lib/cnnbp/core/limits.hpp): given before or after the command.
    cnnbp::Limits& limits = cnnbp::limits();
    app.add_option("--max-elements", limits.elements, "largest tensor, output or im2col matrix, in elements")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--max-work", limits.work, "most multiply-adds or window taps of one layer's evaluation")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--max-file-bytes", limits.file_bytes, "largest case or result file, in bytes")
        ->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--max-layers", limits.layers, "most layers in a network")->capture_default_str()->check(CLI::PositiveNumber);
    app.fallthrough();

    auto* demo = app.add_subcommand(
        "demo", "Evaluate conv2d forward and backward (all four backward forms) on a small built-in case and print "
                "every tensor, with the agreement of the forms and a finite-difference check.");

    auto* tiny = app.add_subcommand(
        "tiny-cnn", "Work through the tiny CNN of the documentation (4x4 input, 2x2 filter, max pool, one fully "
                    "connected weight, quadratic loss; part II with a ReLU) and print every intermediate number.");

    // The documentation's figures and worked results (src/cli/docs/artifacts.hpp), drawn and computed by the code.
    std::vector<std::string> artifact_names;
    std::string artifact_dir;
    bool artifact_all = false, artifact_list = false;
    auto* figure = app.add_subcommand("figure", "Draw a figure of the documentation as SVG, from the library's own geometry "
                                                "(--list for the names)");
    auto* worked = app.add_subcommand("worked", "Compute a worked result of the documentation as Markdown "
                                                "(--list for the names)");
    for (CLI::App* sub : {figure, worked}) {
        sub->add_option("name", artifact_names, "the names to write (standard output for one, without -o)");
        sub->add_flag("--all", artifact_all, "write every one (needs -o)");
        sub->add_flag("--list", artifact_list, "print the names and what each shows");
        sub->add_option("-o,--output-dir", artifact_dir, "write DIR/NAME.svg (figure) or DIR/NAME.md (worked)");
    }

    std::string case_path, result_path, out_path, dtype = "float64", accumulate, ties = "any", bound = "tight";
    bool as_json = false, all = false, canonical = false, npy = false;
    const auto dtypes = CLI::IsMember({"float64", "float32", "float16", "bfloat16"});
    const char* accumulate_help = "the precision its products and sums are computed in before the result is stored "
                                  "in --dtype (default: float32 for float16 and bfloat16, --dtype otherwise)";
    const auto bounds = CLI::IsMember({"tight", "certain"});
    const char* bound_help = "the bound a sum of products is judged by: tight (what rounding explains when its errors "
                             "behave randomly, (E9)) or certain (the worst case of every order, (E3))";
    auto* eval = app.add_subcommand("eval", "Compute a case: read CASE.json (- for standard input) and write it back with "
                                            "`expected` filled in, every other field kept. Any tensor of a case or "
                                            "result may be a binary file, {\"npy\": \"x.npy\"}, beside the JSON.");
    eval->add_option("case", case_path, "the case file (cnnbp-case/1)")->required();
    eval->add_option("-o,--output", out_path, "write here instead of standard output");
    eval->add_flag("--canonical", canonical, "write the params in full (every parameter; stride and dilation as [h, w], "
                                             "padding as four sides), as suite and hunt send cases");
    eval->add_flag("--npy", npy, "write every tensor (the inputs and expected) as a float64 .npy file beside the output, "
                                 "OUT.inputs.x.npy, OUT.expected.dw.npy, ..., which OUT.json names as {\"npy\": FILE} "
                                 "(needs -o OUT.json)");
    auto* check = app.add_subcommand(
        "check", "Judge RESULT.json, the outputs an implementation computed for CASE.json, element by element with "
                 "tolerances derived from the arithmetic. Exit 0: every provided output passes; 1: a mismatch; "
                 "2: invalid input.");
    check->add_option("case", case_path, "the case file")->required();
    check->add_option("result", result_path, "the implementation's outputs: an object with some of out, dx, dw, db, loss, da, dz; "
                                              "each nested lists or {\"npy\": FILE}")->required();
    check->add_option("--dtype", dtype, "the precision the implementation stores its inputs and results in")->check(dtypes)->capture_default_str();
    check->add_option("--accumulate", accumulate, accumulate_help)->check(dtypes);
    check->add_option("--bound", bound, bound_help)->check(bounds)->capture_default_str();
    check->add_flag("--json", as_json, "print the report as JSON on standard output, an error too (with its exit status)");
    check->add_option("--ties", ties, "max-pool ties: any (any split among the tied maxima) or first (PyTorch's rule)")
        ->check(CLI::IsMember({"any", "first"}))->capture_default_str();
    auto* gradcheck = app.add_subcommand("gradcheck", "Check the oracle itself on CASE.json with central differences and "
                                                      "print the worst relative error per input.");
    gradcheck->add_option("case", case_path, "the case file")->required();
    gradcheck->add_flag("--all", all, "check every element (default: at most 256 per input, evenly spread)");
    gradcheck->add_flag("--json", as_json, "print the report as JSON, an error too");

    std::string golden_dir = "golden";
    auto* golden = app.add_subcommand("golden", "Write the golden suite (case files with expected outputs, and an index "
                                                "README.md) into a folder, deterministically.");
    golden->add_option("--out", golden_dir, "the folder")->capture_default_str();
    bool golden_large = false;
    golden->add_flag("--large", golden_large, "write the large exact cases instead (realistic layer sizes, tensors in "
                                              ".npy files, about 60 MB each; generated where needed, not committed)");

    cnnbp::cli::SuiteOptions suite_options;
    auto* suite = app.add_subcommand("suite", "Run every case of a folder (default golden/) through an implementation "
                                              "(a command speaking the JSON-lines protocol, docs/protocol.md) and judge "
                                              "each answer as check does. Exit 0 when every case passed or is unsupported; "
                                              "1 when one failed; 4 when none was judged; 5 when answers left required "
                                              "outputs out.");
    suite->add_option("dir", suite_options.dir, "the folder of case files")->capture_default_str();
    suite->add_option("--impl", suite_options.impl, "the implementation: a shell command")->required();
    suite->add_option("--dtype", suite_options.dtype, "the precision it stores its inputs and results in")->check(dtypes)->capture_default_str();
    suite->add_option("--accumulate", suite_options.accumulate, accumulate_help)->check(dtypes);
    suite->add_option("--bound", suite_options.bound, bound_help)->check(bounds)->capture_default_str();
    suite->add_option("--timeout", suite_options.timeout, "seconds to wait for one answer")->capture_default_str();
    suite->add_option("--startup-timeout", suite_options.startup_timeout, "seconds more for the first answer after a start")
        ->capture_default_str();
    suite->add_option("--require", suite_options.require, "the outputs every answer must hold: all (every output the "
                                                         "case has), any, or a list such as out,dx")->capture_default_str();
    suite->add_flag("-x,--exitfirst", suite_options.exitfirst, "stop at the first failed case");
    suite->add_option("-k", suite_options.keywords, "only the case files whose name holds WORD (repeatable: any of them)")
        ->type_name("WORD");
    suite->add_option("--op", suite_options.ops, "only the cases of this op (repeatable)")
        ->check(CLI::IsMember(cnnbp::op_list()));
    suite->add_option("--jobs,-j", suite_options.jobs, "implementations working side by side (the report is the same for any number)")
        ->capture_default_str()->check(CLI::Range(1, 64));
    suite->add_option("--junitxml", suite_options.junitxml, "also write a JUnit XML report to this file (for CI)");
    suite->add_flag("--json", suite_options.as_json, "print the report as JSON, an error too");

    cnnbp::cli::HuntOptions hunt_options;
    std::vector<std::string> hunt_params;
    auto* hunt = app.add_subcommand("hunt", "Generate random cases for one op, biased toward where implementations break, "
                                            "until the implementation answers one wrongly; shrink that case while it still "
                                            "fails, print it and save it. Exit 0: none found; 1: found; 4: nothing judged; 5: answers left required outputs out.");
    hunt->add_option("--op", hunt_options.op, "the op to hunt in")->required()->check(CLI::IsMember(
        cnnbp::op_list([](const cnnbp::Op& op) { return op.generate != nullptr; })));
    hunt->add_option("--impl", hunt_options.impl, "the implementation: a shell command speaking the JSON-lines protocol")->required();
    hunt->add_option("--cases", hunt_options.cases, "how many random cases")->capture_default_str()->check(CLI::NonNegativeNumber);
    hunt->add_option("--seed", hunt_options.seed, "the seed: the same seed draws the same cases")->capture_default_str();
    hunt->add_option("--dtype", hunt_options.dtype, "the precision the implementation stores its inputs and results in")->check(dtypes)->capture_default_str();
    hunt->add_option("--accumulate", hunt_options.accumulate, accumulate_help)->check(dtypes);
    hunt->add_option("--bound", hunt_options.bound, bound_help)->check(bounds)->capture_default_str();
    hunt->add_option("--param", hunt_params, "pin or bound a drawn parameter: NAME=VALUE or NAME=LO..HI (repeatable)");
    hunt->add_option("--save", hunt_options.save, "where to save the shrunk failing case")->capture_default_str();
    hunt->add_flag("--npy", hunt_options.npy, "save the case's tensors as float64 .npy files beside it, "
                                              "SAVE.inputs.x.npy, ... (as eval --npy)");
    hunt->add_option("--timeout", hunt_options.timeout, "seconds to wait for one answer")->capture_default_str();
    hunt->add_option("--startup-timeout", hunt_options.startup_timeout, "seconds more for the first answer after a start")
        ->capture_default_str();
    hunt->add_flag("--exact", hunt_options.exact, "draw exact cases: integer inputs, every sum exact in the precision "
                                                  "judged (where it is, (E12)), judged with tolerance 0; conv2d, "
                                                  "conv_transpose2d, linear, pad2d, maxpool2d, relu and flatten");
    hunt->add_flag("--ties", hunt_options.ties, "draw max-pool inputs with ties and relu inputs at 0 (off by default)");
    hunt->add_flag("--coverage", hunt_options.coverage, "report how often each edge condition was generated");
    hunt->add_option("--jobs,-j", hunt_options.jobs, "implementations working side by side (the verdict and the "
                                                     "minimal case are the same for any number)")
        ->capture_default_str()->check(CLI::Range(1, 64));
    std::string shard;
    hunt->add_option("--shard", shard, "draw only shard K of N (K = 0..N-1): the N shards together draw exactly the "
                                       "cases of the whole hunt")->type_name("K/N");
    hunt->add_flag("--json", hunt_options.as_json, "print the report as JSON, an error too");
    hunt->add_option("--require", hunt_options.require, "the outputs every answer must hold: all, any, or a list such as out,dx")
        ->capture_default_str();

    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == argv[1]; }).empty()) {
        std::cerr << "cnnbp: unknown command '" << argv[1] << "'; run cnnbp --help for the commands\n";
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() != 0 && wants_json(argc, argv)) return json_error(e.what(), 2);
        const int status = app.exit(e);  // prints the help, or the message
        return status == 0 ? 0 : 2;      // 2: invalid usage, for every command
    }
    const bool json_report = as_json || suite_options.as_json || hunt_options.as_json;
    try {
        if (*figure)
            return cnnbp::cli::run_artifacts(cnnbp::cli::figures(), artifact_names, artifact_all, artifact_list,
                                             artifact_dir, "svg", std::cout);
        if (*worked)
            return cnnbp::cli::run_artifacts(cnnbp::cli::worked_examples(), artifact_names, artifact_all, artifact_list,
                                             artifact_dir, "md", std::cout);
        if (*demo) return cnnbp::cli::run_demo(std::cout);
        if (*tiny) return cnnbp::cli::run_tiny_cnn(std::cout);
        if (*eval) return cnnbp::cli::run_eval(case_path, out_path, canonical, npy);
        if (*check) return cnnbp::cli::run_check(case_path, result_path, dtype, accumulate, as_json, ties, bound);
        if (*gradcheck) return cnnbp::cli::run_gradcheck(case_path, all, as_json);
        if (*golden) return cnnbp::cli::run_golden(golden_dir, golden_large);
        if (*suite) return cnnbp::cli::run_suite(suite_options);
        if (*hunt) {
            for (const std::string& param : hunt_params) cnnbp::cli::add_hunt_param(hunt_options, param);
            if (!shard.empty()) cnnbp::cli::set_hunt_shard(hunt_options, shard);
            return cnnbp::cli::run_hunt(hunt_options);
        }
    } catch (const cnnbp::Error& e) {  // invalid input, described by the message
        if (json_report) return json_error(e.what(), 2);
        std::cerr << "cnnbp: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {  // anything else (out of memory, a bug): still a message, never an abort
        if (json_report) return json_error(std::string("internal error: ") + e.what(), 3);
        std::cerr << "cnnbp: internal error: " << e.what() << '\n';
        return 3;
    }
    return 0;
}
