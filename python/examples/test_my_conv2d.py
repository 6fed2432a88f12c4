import cnnbp
from my_layers import conv2d  # your code: out, dx, dw and db of one case


@cnnbp.golden_cases(op="conv2d")
def test_conv2d(case):
    cnnbp.assert_matches(case, conv2d(case), dtype="float32")
