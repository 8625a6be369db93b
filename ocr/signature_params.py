"""Every threshold of the signature check, in one place.

Lengths are in text heights (lh: the height of the printed glyphs of the block's labels,
measured in their boxes: ~3.7 mm for the 10.5 pt labels of the survey form), areas in lh², so
dpi does not matter. The label-box section below counts in OCR box heights instead (RapidOCR
pads its boxes to ~1.6x the glyph height) and character widths measured on those boxes.
Measurements quoted come from tests/ocr/sig_pages.py pages (5 layouts, 4 fonts, 150-300 dpi,
colour / grey / phone) and the synthetic world's signature pages (tests/bench/bench_seal.py).
"""

from __future__ import annotations

# --- label boxes ------------------------------------------------------------------------------
# An OCR box taller than this many text heights holds more than printed text (the detector
# merged the label with the handwriting next to it: real pages had boxes 1.6-3x the label
# height); printed lines of one font size measured 0.9-1.15 lh.
SWOLLEN_HEIGHT = 1.45
# ... or wider than this many character widths per printed character (full-width CJK glyphs
# measured 0.95-1.1 lh wide, the colon included).
SWOLLEN_WIDTH_PER_CHAR = 1.35
CHAR_WIDTH = 1.0  # width of one printed CJK character, lh
# Heights within this factor of the smallest printed box are "one font size" (the median of
# those is lh); boxes merged with handwriting are larger.
SAME_SIZE = 1.35
# Labels on one printed row: centres within this many lh; in one column: left edges within.
SAME_ROW = 0.6
SAME_COLUMN = 1.0
# A placed (not read) label is searched this far around its predicted position.
# (x in characters: the pitch of left edges is exact for left-aligned labels and off by half a
# character (interpolated) or one (extrapolated) for labels centred in cells; y in text heights)
PLACE_SEARCH_X = 1.5
PLACE_SEARCH_Y = 0.5
# Printed-text score of a window (ink-covered columns in the text band minus twice the columns
# with ink just above/below it): printed labels measured 0.55-0.95, blank paper 0, handwriting
# -0.6-0.3. A placed label is "seen" from this score.
LABEL_SEEN = 0.45
# Away from the pitch's prediction a window must look this much more like print per text
# height (a seal over the label lowers its score by up to 0.5).
PLACE_DISTANCE_COST = 0.25
PLACE_MARGIN = 1.0  # characters either side of a placed label still counted as label

# OCR lines of at least this many characters are print (or an auditor's note), never a name:
# names are 2-4 characters, OCR of a cursive name gives 0-4.
PRINT_LINE_CHARS = 6
PRINT_LINE_SURE = 0.8    # recognition score of such a line below which it may be handwriting
HANDWRITING_TALL = 1.5   # label heights: a line this tall and read unsurely is a name, not print
                         # (seed 139: 1.9 at 0.58; printed lines of the block measure 0.9-1.0)

# --- search regions ---------------------------------------------------------------------------
GAP_AFTER_LABEL = 0.15
MAX_WIDTH = 14.0  # a right-hand field is at most this wide (35 mm fields of the form: 9.5 lh)
FIELD_PITCH_SHARE = 0.95  # with no next label on the row: of the distance from the previous one
ABOVE = 1.8  # signatures on the line rise up to 1.6 lh above the label's top (synth: 1.45)
ROW_ABOVE = 0.2  # of a label's height over its top: the signing row, where a name on the line reaches
TALL_ROW_ABOVE = 1.5  # a name written over the line (TALL_ABOVE) ends this close over the label's top
                      # (seed 239: 0.75 of the label's height over it)
TALL_ABOVE = 8.0  # a large name written over the signing line (seed 239: its top 7.5 lh above the
                  # label's): where the usual field holds only a little of it, judged once more this high
BELOW = 0.9  # ... and dip below its baseline (descenders, the underline at +0.15 lh)
BELOW_GAP = 0.15  # the space under a label starts this far below its box
BELOW_DEPTH = 4.5  # and is at most this deep (table cells for names measured 2.5-4.3 lh)
BELOW_WIDTH = 10.0  # and this wide, from the label's left edge (names under labels: 4-9 lh)
BELOW_LEFT = 0.2  # it may start this far left of the label
# Ink under a label flatter than this (lh) and PRINTED_ROW_RUN long is a line of print (blurred
# print in photos measured 1.1 lh); names written under a label measured 1.8-4 lh tall.
BELOW_FLAT = 1.4
# Horizontal rulings this close under a label are its underline or the header cell's bottom
# edge (0.1-0.6 lh measured), not the end of the space below it.
UNDERLINE_ZONE = 1.0
RULING_MIN_LENGTH = 3.0  # a ruling is a straight run at least this long (a name's stroke: < 2.5)
# A vertical run's end this close (lh) to a horizontal rule meets it (a corner: the rules' own
# width plus the dilation that joins a skewed rule's pieces).
CORNER_REACH = 0.5
# A vertical run with a free end is a cell edge only when that end lies this far (lh) beyond the
# space: a name's first stroke standing on the signing line rose 0.6 lh above it (seed 67).
EDGE_BEYOND = 1.0
RULE_BAND = 0.25  # lh either side of a rule found across the block: its ink, blur and residual skew
RULE_LONG = 6.0   # lh: such a rule is longer than a name seal's frame (2 cm: 5 lh at 150 dpi)
RULING_SPAN_SHARE = 0.5  # a horizontal ruling bounds a region when it spans this share of it
OBSTACLE_PAD = 0.15
# Print OCR did not report: a row one lh tall, blank 0.15-0.5 lh above and below, at least this
# long (lh) with gaps between characters up to PRINTED_ROW_GAP; 联系电话/报出日期 rows are
# 12-16 lh, （单位盖章） 6 lh, handwritten names cross the blank strips.
PRINTED_ROW_RUN = 4.0
# Steeper rows than this (dy/dx; 0.3 degrees: 0.1 lh over a 20 lh row) are levelled first.
LEVEL_SLOPE = 0.005
PRINTED_ROW_SCALES = (1.0,)  # row heights tried, in text heights (1.2-1.4 took cursive names for print)
PRINTED_ROW_GAP = 0.8
PRINTED_ROW_DENSITY = 0.06  # ink share of the band: CJK print 0.2-0.35, thinned on b/w scans 0.1
PRINTED_ROW_STROKES = 1.0  # strokes met per pixel row and lh of length: print 1.1-2.1, synth names 0.6
PRINTED_ROW_STROKES_ONE_SIDE = 1.5  # blank on one side only (print touched by a mark): print 1.6-2.1

# --- evidence ---------------------------------------------------------------------------------
PRESENT_INK_AREA = 0.6  # ink px / lh²: names of two or three handwritten characters give 2-6
UNCERTAIN_INK_AREA = 0.12  # JPEG/scanner residue of an empty field measured < 0.06
# Strokes of a name (half its outlines' length, lh): synth names 8-30, name seals on grey
# scans >= 10; a tick measured 3.4, a dash < 2.
PRESENT_STROKE_LENGTH = 5.0
MIN_SPAN = 0.9  # the ink's extent, lh: a name is longer than one printed character
SPECKLE_AREA = 0.01  # components below this many lh² are dust
# All the ink in a band thinner than this (lh) is what line removal left of a rule (a phone photo's
# curved underline: 209 x 1 px; a cell edge: 3 x 18 px, at lh 17; seed 199), not a name: a pen
# stroke alone is 0.15-0.3 lh wide, and a name's strokes go both ways.
RULE_RESIDUE = 0.25
REACH_ROW_INK = 0.05  # lh² of ink in the label's own row: the name is on the signing line

# --- the unit's seal on a grey scan (shape, not colour) ----------------------------------------
# Seal geometry relative to its radius R (synth seals and the form's 42 mm seals): ring 0.064 R
# thick; text glyphs 0.26-0.32 R tall between 0.55 R and 0.94 R; star within 0.34 R.
RING_BAND = 0.08  # |d - R| below this is the ring (thickness + blur + fit error)
TEXT_INNER, TEXT_OUTER = 0.42, 0.97
TEXT_MAX_RADIAL = 0.45  # a glyph's extent across the arc, R
TEXT_MAX_TANGENTIAL = 0.5  # and along it (two touching glyphs at 150 dpi measured 0.46 R)
STAR_OUTER = 0.42
ARC_MAX_RADIAL = 0.08  # ring residue and inner rings: thin arcs of constant radius
# Pen ink is darker than the seal's: on grey scans the form's red seal measured 90-175 grey
# levels (strong to pale impressions), blue/black pen 30-80 (synth inks; a pale seal over pen
# ink keeps it as dark). Seal-shaped ink this much darker than the seal's ring is pen.
SEAL_DARKER = 35
# On a colour scan, in the red channel: red seal ink reflects red (its pixels measured 0.5-0.95 of
# the paper's brightness on 43 colour and phone signature pages; the few darker "red" pixels were
# black print under the seal), blue/black pen absorbs it. A pixel darker than this share of the
# paper is pen, even where it lies on the seal's strokes or their fringe (seeds 127, 151, 163: names
# written across the seal's lettering were cut to dust by the fringe and called unsigned).
PEN_IN_RED = 0.5
RING_FIT_BAND = 0.12  # pixels this close to the estimated ring refine its centre and radius
RING_FIT_MOVE = 0.2  # a refit moving the centre further than this share of R is rejected

# --- personal name seal (人名章) on colour scans ----------------------------------------------
NAME_SEAL_MIN_SIDE = 0.9  # lh: seals of 10-20 mm are 2.7-5.4 lh; a red tick is not square
NAME_SEAL_MAX_SIDE = 6.5
NAME_SEAL_MAX_ASPECT = 2.6  # 2 stacked characters: 1.6-1.9
NAME_SEAL_FRAME = 0.7  # share of the rectangle's outline carrying red ink (frame or 白文 ground);
# the round seal's glyphs and star measured <= 0.55, name seals >= 0.8
NAME_SEAL_FILL = 0.12  # red ink share inside the rectangle (frame + characters: 0.25-0.9)
NAME_SEAL_GROUND = 0.6  # 白文 seals: red covers 0.65-0.9 of the rectangle
NAME_SEAL_SOLID = 0.75  # ... and their outline fills it (contour area / rectangle: 0.8-0.99; a star 0.4)
# The round seal (42 mm) is 2-4x a name seal's side (10-20 mm); a "round seal" found no larger
# than this many times the candidate is the name seal itself, seen by the round-seal detector.
ROUND_SEAL_OVER_NAME_SEAL = 1.6
NAME_SEAL_CONTEXT = 7.0  # the name seal is looked for in the field and this far (lh) around it
