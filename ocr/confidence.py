"""The confidence ladder: every confidence a reading can be given or capped at, and every threshold
a decision compares it with, defined once, in order (tests/ocr/test_confidence.py checks the order).

From low to high:
  UNTRUSTED        0.30  rows that drifted off their labels: no decision may rest on them
  UNLIKE           0.40  a "dash" the page's own dashes contradict: confirms nothing
  DASH_BENEATH_SEAL 0.45 a dash seen only at the ink level beneath a seal: below a match alone
  MATCH_MIN        0.50  least confidence for "matches" (a chance exact match of a figure is rare)
  SEAL_FREE_MIN    0.50  a reading with a red seal's ink taken out speaks for the record from here
  DASH_AMONG_MARKS 0.60  a dash picked out among other marks (seal fragments)
  DASH_DIFFERS_MIN 0.85  a read dash claims a difference against a number online
  CONFIRMED        0.90  a dash confirmed by a second sign (recogniser or the page's dashes)
  UNDER_SEAL_ALONE 0.90  one engine alone under seal ink: below DIFFERS_MIN, so it claims nothing
                         unless the view without the seal's ink reads the same figure
  CELL_SURE        0.90  a figure recognised in a cell below this is asked of the second engine
  MATCH_DESPITE_DOUBT 0.90 equal to the record at this confidence: a mumbling second engine is no doubt
  DIFFERS_MIN      0.95  one engine alone claims a difference
  BILEVEL_SURE     0.975 cap on black-and-white scans: never enough for a look-alike swap
  LOOKALIKE_SURE   0.98  a lone look-alike swap (3/8, 1/7 ...) is believed
  FIGURE_IN_MARK_ALONE 0.99 a digit read in a dash mark's crop is kept without the second engine
"""

UNTRUSTED = 0.3
UNLIKE = 0.4
DASH_BENEATH_SEAL = 0.45   # a fragment of "15" under seal text looked like a dash at this level
MATCH_MIN = 0.5
SEAL_FREE_MIN = 0.5        # as MATCH_MIN: in two worlds the seal-free view read the record's value
                           # at 0.75-0.93 where seal strokes made "15" of 5 and "6" of 0
DASH_AMONG_MARKS = 0.6
DASH_DIFFERS_MIN = 0.85
CONFIRMED = 0.9
UNDER_SEAL_ALONE = 0.9
CELL_SURE = 0.9            # a small "0" read as "。" at 0.29: below this the second engine is asked
MATCH_DESPITE_DOUBT = 0.9
DIFFERS_MIN = 0.95
BILEVEL_SURE = 0.975       # thresholding broke a printed 40 into a 10 read at 0.9996 on a 1-bit scan
LOOKALIKE_SURE = 0.98      # printed figures misread as a look-alike on grey, colour and photo scans
                           # measured 0.38-0.76 (5 worlds, about 45,000 figures)
FIGURE_IN_MARK_ALONE = 0.99  # no digit read in ~11,000 printed dashes' crops reached 0.9 except a "1"
RECOGNISED_MIN = 0.9       # the recogniser's own "-" in a mark's crop confirms it from here
DIGIT_SEEN = 0.5           # a recogniser's digit in the crop at this score vetoes a mark that is not alone

LADDER = ("UNTRUSTED", "UNLIKE", "DASH_BENEATH_SEAL", "MATCH_MIN", "SEAL_FREE_MIN", "DASH_AMONG_MARKS", "DASH_DIFFERS_MIN",
          "CONFIRMED", "UNDER_SEAL_ALONE", "CELL_SURE", "MATCH_DESPITE_DOUBT", "DIFFERS_MIN", "BILEVEL_SURE",
          "LOOKALIKE_SURE", "FIGURE_IN_MARK_ALONE")
