"""What the benchmark clients report about their own process."""
import resource


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MiB (Linux units)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
