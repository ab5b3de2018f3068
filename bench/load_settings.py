"""What every part of the load test (bench/load.py) shares: where the project is."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAYS_BACK = 3000  # day 0 of every load participant: far enough back that no client runs out of days
