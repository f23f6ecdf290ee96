"""Verdict codes (used in JSON and CSV) and the sentences shown to people, for targets and regions.

A target is in reach when even the low radius reaches it, out of reach when even the high radius does
not, otherwise it depends on which published figure one believes; a region likewise by its farthest point.
"""

IN_REACH = "in_reach"
DEPENDS = "depends"
OUT_OF_REACH = "out_of_reach"
#: Verdict codes and the sentence shown to people.
VERDICTS = {
    IN_REACH: "in reach under every figure",
    DEPENDS: "depends on the figure",
    OUT_OF_REACH: "out of reach under every figure",
}
#: Region verdicts: does the reach cover the whole region?
REGION_VERDICTS = {
    IN_REACH: "covers all of {region} under every figure",
    DEPENDS: "covers all of {region} only under some figures",
    OUT_OF_REACH: "does not cover all of {region} under any figure",
}
