// The worked results of the derivation pages, one list per group of pages (docs/artifacts.hpp).
#pragma once

#include "../docs/artifacts.hpp"

namespace cnnbp::cli {

std::vector<Artifact> conv_pages_worked();   // geometry, pad2d, conv2d, stride/dilation, groups, conv matrix, transposed
std::vector<Artifact> other_pages_worked();  // the other derivation pages, case format and protocol
std::vector<Artifact> site_pages_worked();   // the site's own pages: why backprop is fast (why_fast.cpp)

}  // namespace cnnbp::cli
