"""The Pareto front of points that minimise two quantities (here: scratchpad area and energy)."""


def pareto_front(points):
    """Indices of the points no other point dominates, by increasing x (then input order).

    `points` are (x, y) pairs, both to be minimised. A point is dominated when another is no worse
    in both and better in one. Equal points are all on the front when one of them is (none is
    better than the others), so the front keeps every duplicate; of points with equal x only the
    lowest y can be on it.
    """
    order = sorted(range(len(points)), key=lambda index: (points[index][0], points[index][1], index))
    front = []
    for index in order:
        if not front:
            front.append(index)
            continue
        last = points[front[-1]]
        x, y = points[index]
        # Sorted by x: the last front point has the lowest y so far, and x no greater than this one's.
        if y < last[1] or (x, y) == tuple(last):
            front.append(index)
    return front
