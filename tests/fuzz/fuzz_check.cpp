// libFuzzer target: a case and a result, separated by the first NUL byte, through everything `cnnbp check` does:
// the case evaluated, the result read (NaN and infinities allowed) and judged in float32 and float64 under both tie
// rules. Invalid input must end in cnnbp::Error. Built and run by tools/fuzz.sh.
#include "cnnbp/core/error.hpp"
#include "cnnbp/oracle/oracle.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::size_t cut = text.find('\0');
    if (cut == std::string::npos) return 0;
    try {
        const cnnbp::Evaluation e = cnnbp::evaluate_case(cnnbp::parse_json(text.substr(0, cut), "fuzz case", false), "fuzz case");
        const nlohmann::ordered_json result = cnnbp::parse_json(text.substr(cut + 1), "fuzz result", true);
        for (const char* dtype : {"float32", "float64"})
            for (cnnbp::TiePolicy ties : {cnnbp::TiePolicy::any, cnnbp::TiePolicy::first}) {
                const cnnbp::Verdict v = cnnbp::check_result(e, result, "fuzz result", cnnbp::precision(dtype), ties);
                if (v.pass() && v.fail()) __builtin_trap();  // a verdict cannot be both
            }
    } catch (const cnnbp::Error&) {
    }
    return 0;
}
