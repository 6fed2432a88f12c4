/// \file
/// The one exception type of cnnbp.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace cnnbp {

/// Thrown for every invalid input: a bad geometry, shapes that disagree, an index out of range.
/// The message always names the function, the parameter and the numbers, for example
/// `conv2d: dout has shape (2,4,3,3) but the output shape is (2,4,4,4)`.
class Error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Builds an Error message from any streamable pieces: `fail("conv2d: stride_h must be >= 1, got ", s)`.
template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    std::ostringstream os;
    (os << ... << parts);
    throw Error(os.str());
}

}  // namespace cnnbp
