// libFuzzer target: any bytes as a case file, through everything `cnnbp eval` does with it. Invalid input must end
// in cnnbp::Error; anything else (a crash, a sanitizer report, a hang, memory past the limits) is a finding.
// Built and run by tools/fuzz.sh.
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const nlohmann::ordered_json doc = cnnbp::parse_json(std::string(reinterpret_cast<const char*>(data), size), "fuzz", false);
        const cnnbp::Evaluation e = cnnbp::evaluate_case(doc, "fuzz");
        cnnbp::format_json(cnnbp::expected_json(e));
    } catch (const cnnbp::Error&) {
        // invalid input, refused with a message: what it should do
    }
    return 0;
}
