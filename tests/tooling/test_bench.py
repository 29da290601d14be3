"""make bench's table: every implementation row, ratios to the vectorized reference, and
"not installed" for PyTorch when it is absent (the bench itself is too slow for a test)."""

from rich.console import Console

from authoring.bench import NOT_INSTALLED, Entry, conv_flops, render


def table_text(entries, peak=1e10):
    console = Console(width=200, record=True)
    console.print(render(entries, peak, "caption"))
    return console.export_text()


def test_ratios_are_to_the_reference_vectorized_and_missing_pytorch_says_so():
    flops = conv_flops(1, 1, 16, 26, 26, 3)
    text = table_text([
        Entry("conv", "reference naive loops", 0.1, 3 * flops),
        Entry("conv", "reference vectorized", 0.001, 3 * flops),
        Entry("conv", "PyTorch CPU", None, 3 * flops),
    ])
    assert "100x" in text and "1x" in text
    assert NOT_INSTALLED in text
    assert f"{3 * flops / 0.001 / 1e9:.3g}" in text  # GFLOP/s of the vectorized row


def test_groups_without_a_vectorized_reference_compare_to_the_reference_loops():
    text = table_text([Entry("pool", "seed loops", 0.02, 0), Entry("pool", "reference loops", 0.002, 0)])
    assert "10x" in text


def test_bad_thread_count_is_a_clear_error(forked):
    done = forked("authoring.bench", "--threads", "0")
    assert done.returncode == 2 and "--threads must be at least 1" in done.stderr
    assert "Traceback" not in done.stderr
