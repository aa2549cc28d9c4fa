"""`python -m bench [NAMES...]`: the same as `concord bench`."""

from bench.runner import main

if __name__ == "__main__":
    main()
