// build/cnnbp: the main job and --help. The build passes the program's path in as CNNBP_EXE.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace {

struct Run {
    int status;
    std::string output;
};

Run run(const std::string& args) {
    const std::string cmd = std::string(CNNBP_EXE) + " " + args + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::string out;
    std::array<char, 4096> buf{};
    while (std::fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
    const int status = pclose(pipe.release());
    return {WEXITSTATUS(status), out};
}

}  // namespace

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
