// build/cnnbp: the command-line face of the cnnbp oracle.
#include "cnnbp/cnnbp.hpp"
#include "demo.hpp"
#include "tiny_cnn_report.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{
        "cnnbp: a reference implementation and test oracle for backpropagation in convolutional networks.\n"
        "Every backward computes the gradient of <out, dout> with respect to each input."};
    app.require_subcommand(1);

    auto* demo = app.add_subcommand(
        "demo", "Evaluate conv2d forward and backward (all four backward forms) on a small built-in case and print "
                "every tensor, with the agreement of the forms and a finite-difference check.");

    auto* tiny = app.add_subcommand(
        "tiny-cnn", "Work through the tiny CNN of the documentation (4x4 input, 2x2 filter, max pool, one fully "
                    "connected weight, quadratic loss; part II with a ReLU) and print every intermediate number.");

    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == argv[1]; }).empty()) {
        std::cerr << "cnnbp: unknown command '" << argv[1] << "'; run cnnbp --help for the commands\n";
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int status = app.exit(e);  // prints the help, or the message
        return status == 0 ? 0 : 2;      // 2: invalid usage, for every command
    }
    try {
        if (*demo) return cnnbp::cli::run_demo(std::cout);
        if (*tiny) return cnnbp::cli::run_tiny_cnn(std::cout);
    } catch (const cnnbp::Error& e) {  // invalid input, described by the message
        std::cerr << "cnnbp: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {  // anything else (out of memory, a bug): still a message, never an abort
        std::cerr << "cnnbp: internal error: " << e.what() << '\n';
        return 3;
    }
    return 0;
}
