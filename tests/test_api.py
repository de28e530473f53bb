"""The public surface: what `import pactlab` offers, and nothing by accident."""
import pactlab


def test_exported_members() -> None:
    assert pactlab.__all__ == [
        "Assumptions", "Evaluation", "Futures", "Pact", "PactError", "Payoffs", "__version__",
        "compare", "evaluate", "evaluate_all", "futures", "load_assumptions", "load_pact",
        "load_results", "payoffs", "preset_names",
    ]
    assert issubclass(pactlab.PactError, ValueError)
    for name in pactlab.__all__:
        assert hasattr(pactlab, name)


def test_the_engine_imports_nothing_from_the_layers_above_it() -> None:
    import ast
    from pathlib import Path
    above = {"terms", "assumptions", "data", "plan", "futures", "simulation", "gains", "valuation",
             "metrics", "present", "cli", "report", "payoffs", "tariffs"}
    for path in (Path(pactlab.__file__).parent / "engine").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                assert node.level <= 1 or not above & set(parts), (path.name, node.module)
                assert not (node.level == 0 and parts[0] in ("pactlab", "pydantic")
                            and (len(parts) < 2 or parts[1] != "engine")), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] not in ("pactlab", "pydantic") for a in node.names)
