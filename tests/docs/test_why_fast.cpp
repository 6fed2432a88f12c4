// "Why backprop is fast" (docs/why_fast.md): the table `cnnbp worked why_fast` writes at build time.
#include "support/cli.hpp"

#include <regex>
#include <sstream>

using cnnbp::testing::run;

TEST_CASE("why_fast: the table shows three networks, and on each backprop agrees with central differences", "[docs]") {
    const auto r = run("worked why_fast", "2>/dev/null");
    REQUIRE(r.status == 0);
    // | network | P | one forward | forward + backward | 2P forward passes | ratio x | max |difference| |
    static const std::regex row(R"(\| N=\d+[^|]*\| (\d+) \|[^|]*\|[^|]*\|[^|]*\| ([0-9.e+]+) x \| ([0-9.e+-]+) \|)");
    std::istringstream lines(r.output);
    std::string line;
    std::vector<double> parameters;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, row)) continue;
        parameters.push_back(std::stod(m[1]));
        INFO(line);
        // (F2): the differences' own error is eps |C| / h plus h^2 |C'''|, a few 1e-9 here; a wrong backward
        // is off by the size of a gradient, 1e-2 and more.
        CHECK(std::stod(m[3]) < 1e-6);
    }
    REQUIRE(parameters.size() == 3);
    // The times are measured, not asserted (they depend on the machine and its load); the sizes grow.
    CHECK(parameters[0] < parameters[1]);
    CHECK(parameters[1] < parameters[2]);
}
