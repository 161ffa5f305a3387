"""``python examples/reference_shop`` says how to run the shop; ``--serve`` runs it (uvicorn).

uvicorn is not a dependency of orderflow: ``pip install uvicorn`` to serve from here, or run
``uvicorn --app-dir examples reference_shop.app:app`` yourself.
"""

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a directory or a file: make ``reference_shop`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reference_shop.app import DEFAULT_DB, app

HOW = f"""orderflow reference shop (FastAPI): orders and stock in $ORDERFLOW_SHOP_DB ({DEFAULT_DB})
  pip install -e '.[shop]' uvicorn
  uvicorn --app-dir examples reference_shop.app:app     # then open http://127.0.0.1:8000/operator
  python examples/reference_shop --serve                # the same
"""


def main(argv: list[str]) -> int:
    """Print how to run the shop and its routes; serve it with ``--serve``."""
    print(HOW)
    for route in app.routes:
        methods = sorted(getattr(route, "methods", None) or ())
        path = getattr(route, "path", "")
        if methods and getattr(route, "include_in_schema", True):
            print(f"  {' '.join(methods):<6} {path}")
    if "--serve" not in argv:
        return 0
    try:
        import uvicorn
    except ImportError:
        print("uvicorn is not installed: pip install uvicorn", file=sys.stderr)
        return 2
    uvicorn.run(app)
    return 0


if __name__ == "__main__" and (code := main(sys.argv[1:])):
    sys.exit(code)  # only on failure: the examples test runs this file inside pytest
