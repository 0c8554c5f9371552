"""Give the accurate tier's model.onnx an ``embedding`` output: the pooled sentence vector its heads read.

    pip install onnx        # part of the train extra
    .venv/bin/python scripts/expose_encoder_embedding.py [--model-dir src/groundswell/enrich/artifacts/accurate]

The subject head (scripts/train_subject_models.py) is a logistic regression on that vector, so the
encoder runs once per post for every task. The sentiment and complaint outputs are not touched: the
graph only gains an output (``embedding``), which ``encoder.EncoderModel`` finds by its name. Running it
again changes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "src" / "groundswell" / "enrich" / "artifacts" / "accurate"
OUTPUT = "embedding"


def pooled_tensor(graph, head_output: str) -> str:  # type: ignore[no-untyped-def]
    """The tensor a head's linear layer reads: walk back from its logits to the first non-head node."""
    producer = {name: node for node in graph.node for name in node.output}
    name = head_output
    while name in producer:
        node = producer[name]
        if node.op_type in ("DynamicQuantizeLinear", "Gemm"):
            return str(node.input[0])
        name = node.input[0]
    raise SystemExit(f"no linear layer found behind {head_output}")


def expose_embedding(model_dir: Path) -> None:
    import onnx

    path = model_dir / "model.onnx"
    model = onnx.load(str(path))
    graph = model.graph
    document = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    if OUTPUT in {o.name for o in graph.output}:
        print(f"{path} already has an {OUTPUT!r} output")
        return
    head = next(iter(document["heads"].values()))["output"]
    source = pooled_tensor(graph, head)
    # the head's weight matrix is hidden x labels (or its transpose): the hidden size is the larger side
    size = max(
        max(init.dims) for init in graph.initializer if init.name.startswith(head.split("_")[0]) and len(init.dims) == 2
    )
    graph.node.append(onnx.helper.make_node("Identity", [source], [OUTPUT], name="embedding_output"))
    graph.output.append(onnx.helper.make_tensor_value_info(OUTPUT, onnx.TensorProto.FLOAT, ["batch", size]))
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    print(f"{path}: output {OUTPUT!r} = {source} ({size} values)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    expose_embedding(parser.parse_args().model_dir)


if __name__ == "__main__":
    main()
