"""The public surface: what `import pactlab` offers, and nothing by accident."""
import pactlab


def test_exported_members() -> None:
    assert pactlab.__all__ == [
        "Assumptions", "Evaluation", "Futures", "Pact", "PactError", "Payoffs", "Robustness",
        "__version__", "compare", "evaluate", "evaluate_all", "futures", "load_assumptions",
        "load_pact", "load_results", "payoffs", "preset_names", "robust",
    ]
    assert issubclass(pactlab.PactError, ValueError)
    for name in pactlab.__all__:
        assert hasattr(pactlab, name)
