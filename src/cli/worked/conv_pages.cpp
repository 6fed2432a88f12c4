// The worked results of the convolution pages: geometry, pad2d, conv2d, stride and dilation, groups, the matrix form
// and the transposed convolution, one source per page or two (conv_common.hpp).
#include "conv_common.hpp"

namespace cnnbp::cli {

std::vector<Artifact> conv_pages_worked() {
    std::vector<Artifact> all;
    for (auto group :
         {conv_worked::geometry_pad_worked, conv_worked::conv2d_groups_worked, conv_worked::stride_dilation_worked,
          conv_worked::conv_matrix_worked, conv_worked::conv_transpose_worked})
        for (Artifact& a : group())
            all.push_back(std::move(a));
    return all;
}

}  // namespace cnnbp::cli
