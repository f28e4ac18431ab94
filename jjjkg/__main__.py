import sys

from jjjkg.cli import main

sys.exit(main())
