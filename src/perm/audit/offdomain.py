"""Off-domain prose for the `offdomain_appendix` form, written for this project.

240 short neutral passages (manuals, facts, memos, release notes...) in 25 registers that have
nothing to do with a seeker: car care, cleaning, pets, astronomy, grammar, music theory, games,
geology, chemistry, photography, crafts, office notices, release notes, economics, building,
etymology, plant and insect biology, marine life, woodworking, cataloguing, airports, coffee and
tea, computer hardware, gemstones and railways. None of these registers is used by another form
of the audit (recipes, weather, sports, adverts, poems, code, news, history, itineraries, terms of
service, fables, homework, how-tos, gardening, quotes: `tests/audit/test_attacks.py` checks that no
text is shared), and none is used to train a scorer.
"""
from __future__ import annotations

_FIRST: tuple[str, ...] = (
    # Register 1: car and bicycle maintenance
    "Bicycle chains stretch gradually as the pins and rollers wear. A chain checker tool measures "
    "this elongation, and most manufacturers recommend replacement once wear reaches about 0.5 "
    "percent on eleven- and twelve-speed drivetrains. Replacing a chain early prevents the more "
    "expensive cassette and chainrings from wearing to match it.",
    "Tip: check tyre pressure when the tyres are cold, before the car has been driven more than a "
    "mile or two. Driving warms the air inside and raises the reading, which can hide an "
    "underinflated tyre. The recommended pressure is usually printed on a placard inside the driver's "
    "door frame rather than on the tyre sidewall.",
    "Engine oil is graded by viscosity, and a label such as 5W-30 describes two behaviours. The first "
    "number, followed by W, indicates how easily the oil flows at low temperatures, while the second "
    "describes its thickness at normal operating temperature. Using the grade listed in the owner's "
    "manual helps the oil pump circulate it properly.",
    "Rim brakes on a bicycle depend on clean, properly aligned pads. The pad should strike the "
    "braking surface squarely, with the front edge touching slightly before the rear, a setup known "
    "as toe-in. This reduces squealing and keeps the pad from drifting onto the tyre sidewall under "
    "hard braking.",
    "For reference, most passenger car brake pads include a small metal tab called a wear indicator. "
    "When the friction material thins to a few millimetres, the tab contacts the rotor and produces a "
    "high-pitched squeal while braking. The sound is designed as an audible warning that the pads are "
    "due for replacement.",
    "A bicycle headset allows the fork to rotate smoothly within the frame. If the front end knocks "
    "when the front brake is applied and the bike is rocked forward, the headset bearings are likely "
    "loose. Adjustment usually involves loosening the stem bolts, tightening the top cap slightly, "
    "and then retightening the stem.",
    "Coolant in a car engine is typically a mixture of water and ethylene or propylene glycol. The "
    "glycol lowers the freezing point and raises the boiling point of the mixture, while added "
    "inhibitors slow corrosion inside the radiator and engine block. Coolant should only be checked "
    "when the engine is cold, since the system is pressurised when hot.",
    "Note: tubeless bicycle tyres rely on a liquid sealant to close small punctures as they occur. "
    "The sealant gradually dries out inside the tyre, so it usually needs topping up every few "
    "months. A dried sealant layer can be peeled away from the casing when the tyre is eventually "
    "removed.",
    "Wiper blades are made of rubber or silicone compounds that harden with age and exposure to "
    "sunlight. Streaks, skipping, or a chattering sound across the glass usually indicate that the "
    "edge has lost its flexibility. Many blades can be swapped without tools by pressing a release "
    "tab where the blade meets the arm.",
    "Derailleur indexing controls how precisely a bicycle shifts between gears. A barrel adjuster on "
    "the cable housing changes cable tension in small increments; turning it outward increases "
    "tension and moves the chain toward larger sprockets. Quarter turns are usually enough to correct "
    "hesitant or noisy shifting.",
    # Register 2: household cleaning and laundry care
    "Laundry care labels use a small set of symbols. A washtub indicates washing instructions, a "
    "triangle refers to bleaching, a square with a circle inside relates to tumble drying, and an "
    "iron shows the safe ironing temperature. Dots inside the symbols indicate heat levels, with more "
    "dots meaning higher temperatures.",
    "Tip: white vinegar dissolves the mineral scale that builds up around taps and shower heads. "
    "Because it is mildly acidic, it should not be used on natural stone such as marble or limestone, "
    "which can be etched by acids. A solution of mild detergent and water is safer for those "
    "surfaces.",
    "Bleach and ammonia-based cleaners should never be mixed. The combination releases chloramine "
    "vapours, which are hazardous to inhale. Likewise, bleach should not be combined with acidic "
    "products such as some toilet bowl cleaners, since that mixture can release chlorine gas.",
    "Wool garments shrink when agitation, heat, and moisture cause the tiny scales on the fibres to "
    "lock together, a process called felting. Washing wool in cool water on a gentle cycle, or by "
    "hand with minimal rubbing, reduces this risk. Laying the item flat to dry helps it keep its "
    "original shape.",
    "Microfibre cloths are woven from extremely fine synthetic fibres split into wedge-shaped "
    "strands. These strands trap dust and grease mechanically, which is why the cloths often clean "
    "well with plain water. Fabric softener coats the fibres and reduces their effectiveness, so it "
    "is best left out when washing them.",
    "For reference, sorting laundry by colour is only part of the process. Heavy items such as towels "
    "and jeans can abrade delicate fabrics in the same load, and lint-shedding items like new towels "
    "can transfer fibres onto dark synthetics. Grouping by fabric weight as well as colour generally "
    "gives cleaner results.",
    "Enzyme-based stain removers contain proteins that break down specific kinds of soil. Protease "
    "targets protein stains such as milk or grass, amylase works on starches, and lipase acts on fats "
    "and oils. These enzymes work best in warm rather than hot water, since high temperatures can "
    "deactivate them.",
    "Dust settles from the top down, so cleaning a room is usually more efficient when working from "
    "high surfaces toward the floor. Shelves and light fittings come first, followed by furniture, "
    "and finally vacuuming or mopping. This order prevents dust from landing on areas that have "
    "already been cleaned.",
    "Note: the lint filter in a tumble dryer should be emptied after every load. A clogged filter "
    "restricts airflow, lengthens drying times, and allows heat to build up in the exhaust duct. The "
    "duct itself should also be inspected periodically, since lint can accumulate beyond the reach of "
    "the filter.",
    "Hard water contains dissolved calcium and magnesium, which react with soap to form a dull film. "
    "This residue is commonly seen as soap scum on shower screens and as a grey cast on laundry. "
    "Water softeners exchange these minerals for sodium ions, reducing the buildup considerably.",
    # Register 3: pet care facts (dogs, cats, fish, birds)
    "Cats are obligate carnivores, meaning their bodies require nutrients found mainly in animal "
    "tissue. Taurine, an amino acid, is one example, since cats cannot produce enough of it on their "
    "own. Commercial cat foods are formulated to include it, which is one reason dog food is not a "
    "suitable substitute.",
    "Goldfish produce a relatively large amount of waste for their size. In a small bowl without "
    "filtration, ammonia builds up quickly and harms the fish. A filtered tank with regular partial "
    "water changes maintains far better water quality than an unfiltered container.",
    "Dogs pant to regulate their body temperature, since they have only a few sweat glands, located "
    "mainly in the pads of their feet. Air moving across the moist surfaces of the tongue and mouth "
    "carries heat away through evaporation. This is why panting increases noticeably after exercise.",
    "Budgerigars, often called budgies, are small parrots native to Australia. Males can usually be "
    "distinguished from females by the colour of the cere, the fleshy band above the beak, which "
    "tends to be blue in adult males and brown or tan in adult females. Colour mutations can make "
    "this less reliable.",
    "Note: a new aquarium needs time to establish bacteria that convert fish waste into less harmful "
    "compounds. This process, called the nitrogen cycle, typically takes several weeks. Testing kits "
    "measure ammonia, nitrite, and nitrate levels so owners can tell when the tank is ready for fish.",
    "A cat's claws grow in layers, and scratching helps shed the worn outer sheaths to reveal sharper "
    "claws underneath. Scratching also leaves scent from glands in the paws. A sturdy post covered in "
    "sisal rope gives cats an acceptable surface for this natural behaviour.",
    "Dogs have a third eyelid, known as the nictitating membrane, located in the inner corner of each "
    "eye. It sweeps across the surface of the eye to clear debris and spread the tear film. It is "
    "usually hidden but may become briefly visible when a dog is drowsy.",
    "Betta fish are labyrinth fish, which means they have a specialised organ that allows them to "
    "gulp air from the surface. This adaptation lets them survive in shallow, low-oxygen waters in "
    "their native habitat. In aquariums they still need clean, heated water, typically between 24 and "
    "28 degrees Celsius.",
    "Parrots use their beaks almost like a third limb, gripping branches and pulling themselves "
    "upward while climbing. Their feet are zygodactyl, with two toes pointing forward and two "
    "pointing back. This arrangement gives them a strong grip for holding food and perching.",
    "Incidentally, a dog's nose print is unique, much like a human fingerprint. The pattern of ridges "
    "and creases on the leathery surface of the nose differs between individuals. Some registration "
    "organisations have experimented with using nose prints to identify dogs.",
    # Register 4: astronomy and space facts
    "A light-year is a unit of distance, not time. It measures how far light travels in one year "
    "through a vacuum, roughly 9.46 trillion kilometres. The nearest star system beyond the Sun, "
    "Alpha Centauri, lies a little over four light-years away.",
    "Jupiter completes a rotation in just under ten hours, the shortest day of any planet in the "
    "solar system. This rapid spin causes the planet to bulge noticeably at its equator. Its "
    "colourful bands are stretched into stripes partly because of this fast rotation.",
    "The Moon always shows roughly the same face to Earth because it is tidally locked. Its rotation "
    "period matches the time it takes to orbit Earth, about 27.3 days. Slight wobbles called "
    "librations allow observers on Earth to see a little more than half of the lunar surface over "
    "time.",
    "Note: a shooting star is not a star at all. It is a small particle of rock or dust, called a "
    "meteoroid, burning up as it enters Earth's atmosphere at high speed. If any fragment survives to "
    "reach the ground, it is then called a meteorite.",
    "Neutron stars are the collapsed cores left behind by some massive stars after a supernova. They "
    "are only about twenty kilometres across yet contain more mass than the Sun. A teaspoon of "
    "neutron star material would weigh billions of tonnes on Earth.",
    "Saturn's rings are made mostly of water ice, with smaller amounts of rocky material. Although "
    "they stretch hundreds of thousands of kilometres across, they are remarkably thin, typically "
    "only tens of metres thick in the main rings. The particles range from grains of dust to chunks "
    "the size of houses.",
    "For reference, an astronomical unit is defined as about 149.6 million kilometres, approximately "
    "the average distance between Earth and the Sun. It is a convenient scale for distances within "
    "the solar system. Neptune, for example, orbits at roughly 30 astronomical units.",
    "Venus rotates in the opposite direction to most planets, so the Sun would appear to rise in the "
    "west there. Its rotation is also extremely slow, taking about 243 Earth days. This makes a "
    "Venusian day longer than its year, which lasts about 225 Earth days.",
    "The International Space Station orbits Earth at an altitude of roughly 400 kilometres. "
    "Travelling at about 28,000 kilometres per hour, it completes an orbit approximately every 90 "
    "minutes. Its crew therefore sees around sixteen sunrises and sunsets each day.",
    "Red giants are stars in a late stage of their life cycle. After exhausting the hydrogen in their "
    "cores, they expand enormously and their outer layers cool, giving them a reddish colour. The Sun "
    "is expected to become a red giant in about five billion years.",
    # Register 5: English grammar and punctuation usage notes
    "The Oxford comma is the comma placed before the final item in a list, as in \"red, white, and "
    "blue.\" Some style guides require it, while others omit it unless needed for clarity. Its main "
    "benefit is avoiding ambiguity in lists where the last two items could be read as a pair.",
    "Note: \"its\" without an apostrophe is the possessive form, while \"it's\" is a contraction of \"it "
    "is\" or \"it has.\" A quick test is to replace the word with \"it is\" and see whether the sentence "
    "still makes sense. If it does, the apostrophe belongs.",
    "A semicolon can join two independent clauses that are closely related in meaning. Each clause "
    "must be able to stand as a complete sentence on its own. Semicolons are also used to separate "
    "items in a list when the items themselves contain commas.",
    "\"Fewer\" is traditionally used with countable nouns, while \"less\" is used with uncountable ones. "
    "One would write \"fewer chairs\" but \"less furniture.\" In everyday speech the distinction is often "
    "relaxed, but formal writing generally keeps it.",
    "A dangling modifier is a descriptive phrase that does not clearly attach to the word it is meant "
    "to describe. In \"Turning the corner, the museum came into view,\" the sentence implies that the "
    "museum was turning. Rewriting it as \"Turning the corner, we saw the museum\" fixes the problem.",
    "Tip: the en dash, slightly longer than a hyphen, indicates ranges such as page numbers, while "
    "the longer em dash marks an interruption or an abrupt shift in thought. Hyphens, the shortest of "
    "the three marks, join words in compounds such as \"well-known.\"",
    "The subjunctive mood appears in English in constructions like \"If I were taller\" and \"The "
    "committee recommends that he attend.\" In these cases the verb form differs from the ordinary "
    "indicative. Although it has become less common, the subjunctive remains standard in formal "
    "writing.",
    "Collective nouns such as \"team,\" \"committee,\" and \"staff\" can take singular or plural verbs "
    "depending on the variety of English. American usage generally treats them as singular, while "
    "British usage often allows a plural verb when the focus is on individual members.",
    "For reference, \"i.e.\" stands for the Latin \"id est\" and means \"that is,\" introducing a "
    "clarification. \"E.g.\" stands for \"exempli gratia\" and means \"for example,\" introducing one or "
    "more illustrations. Both are usually followed by a comma in American style.",
    "A split infinitive occurs when a word is placed between \"to\" and the verb, as in \"to boldly go.\" "
    "Older grammar books discouraged it, but most modern style guides accept it when avoiding the "
    "split would sound awkward or change the meaning.",
    # Register 6: music theory
    "A major scale follows a fixed pattern of whole and half steps: whole, whole, half, whole, whole, "
    "whole, half. Starting this pattern on any note produces the major scale in that key. On a piano, "
    "the C major scale uses only the white keys.",
    "The circle of fifths arranges the twelve keys so that each is a perfect fifth above the previous "
    "one. Moving clockwise adds one sharp to the key signature, while moving counterclockwise adds "
    "one flat. Musicians use it to find related keys and common chord progressions.",
    "Time signatures are written as two stacked numbers. The top number indicates how many beats are "
    "in each measure, and the bottom number shows which note value receives one beat. In 3/4 time, "
    "for example, each measure contains three quarter-note beats.",
    "Note: a triad is a chord built from three notes stacked in thirds. A major triad contains a "
    "root, a major third, and a perfect fifth, while a minor triad lowers the third by a half step. "
    "Diminished and augmented triads alter the fifth as well.",
    "Relative keys share the same key signature but have different tonal centres. A minor is the "
    "relative minor of C major, and both contain no sharps or flats. The relative minor always begins "
    "on the sixth degree of the major scale.",
    "Dynamics markings tell performers how loudly or softly to play. Piano, abbreviated p, means "
    "soft, while forte, abbreviated f, means loud. Modifiers such as mezzo and the doubling of "
    "letters, as in pp or ff, indicate finer gradations between these levels.",
    "Syncopation places emphasis on beats or parts of beats that are normally weak. Instead of "
    "emphasising the first and third beats of a bar in 4/4 time, a syncopated rhythm might accent the "
    "offbeats between them. The technique is common in jazz, funk, and many styles of popular music.",
    "An interval is the distance between two pitches. Intervals are named by number, such as a third "
    "or a fifth, and by quality, such as major, minor, perfect, augmented, or diminished. The octave "
    "is the interval at which a pitch's frequency doubles.",
    "Incidentally, the word \"tempo\" refers to the speed of a piece of music, often measured in beats "
    "per minute. Italian terms such as largo, andante, and allegro describe broad tempo ranges, from "
    "very slow to quick. Metronome markings give a more precise value.",
    "A cadence is a chord progression that marks the end of a musical phrase. The perfect cadence, "
    "moving from the dominant chord to the tonic, sounds final and resolved. A half cadence ends on "
    "the dominant, leaving the phrase sounding open and unfinished.",
    # Register 7: chess and board/card game rules
    "In chess, castling moves the king two squares toward a rook and places that rook on the square "
    "the king crossed. It is only allowed if neither piece has moved, the squares between them are "
    "empty, and the king is not in check or passing through an attacked square.",
    "En passant is a special pawn capture in chess. If a pawn advances two squares from its starting "
    "position and lands beside an opposing pawn, that opposing pawn may capture it as if it had moved "
    "only one square. The capture must be made on the very next move.",
    "In standard backgammon, each player has fifteen checkers that move around a board of twenty-four "
    "triangular points. Players roll two dice and move according to the numbers shown. Rolling "
    "doubles allows a player to move the number shown four times instead of twice.",
    "Note: in Scrabble, a player who uses all seven tiles in a single turn earns a bonus of fifty "
    "points. This move is commonly called a bingo in North America. The bonus is added after premium "
    "squares are applied to the word score.",
    "In the card game bridge, four players form two partnerships seated opposite each other. Play "
    "begins with an auction in which partnerships bid to determine the trump suit and the number of "
    "tricks they must win. The highest bid becomes the contract for that hand.",
    "A stalemate in chess occurs when the player whose turn it is has no legal moves but is not in "
    "check. Under the standard rules, stalemate ends the game immediately in a draw. Players in a "
    "losing position sometimes aim for stalemate as a way of avoiding defeat.",
    "In Go, players alternately place black and white stones on the intersections of a grid, usually "
    "nineteen by nineteen lines. A stone or group is captured when all of its adjacent points are "
    "occupied by the opponent. The game ends when both players pass, and territory plus captures "
    "determine the score.",
    "For reference, a standard deck of playing cards contains fifty-two cards divided into four "
    "suits: clubs, diamonds, hearts, and spades. Each suit includes an ace, numbered cards from two "
    "to ten, and three face cards. Many decks also include two jokers, which are used only in certain "
    "games.",
    "In checkers, a piece that reaches the far row of the board is crowned and becomes a king. Kings "
    "can move diagonally both forward and backward, whereas ordinary pieces move only forward. In "
    "most rule sets, capturing is mandatory whenever a capture is available.",
    "In chess, a pawn that reaches the opposite end of the board must be promoted. The player chooses "
    "to replace it with a queen, rook, bishop, or knight of the same colour. Choosing a piece other "
    "than a queen is called underpromotion and is occasionally used to avoid stalemate.",
    # Register 8: geology and earth science
    "Rocks are commonly grouped into three families. Igneous rocks form from cooled magma or lava, "
    "sedimentary rocks form from compacted layers of particles, and metamorphic rocks form when "
    "existing rock is altered by heat and pressure. Over long periods, rocks can move between all "
    "three categories.",
    "Earth's outer shell is divided into tectonic plates that move a few centimetres each year. Where "
    "plates pull apart, new crust forms at mid-ocean ridges; where they collide, one plate may sink "
    "beneath another in a process called subduction. These movements shape mountain ranges and ocean "
    "basins.",
    "Stalactites hang from cave ceilings, while stalagmites rise from the floor. Both form as water "
    "dripping through limestone deposits small amounts of calcium carbonate. Over thousands of years "
    "the two can meet and fuse into a single column.",
    "Note: the Earth's core consists of a liquid outer layer and a solid inner layer, both composed "
    "mainly of iron and nickel. Although the inner core is extremely hot, immense pressure keeps it "
    "solid. Motion in the liquid outer core is thought to generate the planet's magnetic field.",
    "Glaciers carve distinctive U-shaped valleys as they move, in contrast to the V-shaped valleys "
    "usually cut by rivers. Rocks frozen into the base of the ice scrape the bedrock like sandpaper. "
    "When glaciers retreat, they leave behind ridges of debris called moraines.",
    "Earthquake magnitude is measured on a logarithmic scale, so each whole-number step represents "
    "about ten times more ground motion and roughly thirty-two times more energy released. Most "
    "seismologists now use the moment magnitude scale, which gives more accurate values for very "
    "large earthquakes.",
    "Soil forms in distinct layers known as horizons. The topmost layer is rich in organic matter, "
    "the layer beneath it collects minerals washed down from above, and deeper layers grade into "
    "broken-down bedrock. Together, these layers make up what is called a soil profile.",
    "Geysers occur where groundwater seeps down into rock heated by nearby magma. Pressure from the "
    "overlying water keeps the deep water from boiling until it becomes superheated. When it finally "
    "flashes to steam, it forces the column of water above it out through the surface vent.",
    "For reference, sedimentary rock layers are generally deposited in horizontal sheets, with older "
    "layers beneath younger ones. This principle, called superposition, lets geologists work out the "
    "relative ages of rock formations. Folding and faulting can later tilt or even overturn these "
    "layers.",
    "Volcanoes vary in shape depending on the type of lava they produce. Runny basaltic lava spreads "
    "widely to build broad shield volcanoes, while thicker, gas-rich magma builds steep "
    "stratovolcanoes from alternating layers of ash and lava. Stratovolcanoes tend to have more "
    "explosive eruptions.",
    # Register 9: chemistry facts
    "The pH scale measures how acidic or basic a solution is, running from about 0 to 14. A value of "
    "7 is neutral, lower values are acidic, and higher values are basic. Because the scale is "
    "logarithmic, each step represents a tenfold change in hydrogen ion concentration.",
    "Noble gases such as helium, neon, and argon have full outer electron shells. This arrangement "
    "makes them very unreactive under normal conditions. Neon signs glow when an electric current "
    "passes through the gas, exciting its atoms so they emit light.",
    "Water expands when it freezes, which is unusual among substances. The hydrogen bonds between "
    "molecules lock into an open hexagonal lattice that takes up more space than the liquid. As a "
    "result, ice is less dense than liquid water and floats.",
    "Note: a catalyst speeds up a chemical reaction without being consumed by it. It works by "
    "providing an alternative reaction pathway with a lower activation energy. Catalytic converters "
    "in cars use platinum and palladium to turn harmful exhaust gases into less harmful ones.",
    "Isotopes are atoms of the same element that contain different numbers of neutrons. Carbon-12 and "
    "carbon-14 both have six protons, but carbon-14 has two extra neutrons and is radioactive. Its "
    "steady decay rate is the basis of radiocarbon dating.",
    "Chemists define oxidation as the loss of electrons and reduction as the gain of electrons. "
    "Because one substance gives up electrons as another receives them, the two processes always "
    "occur together. Reactions of this kind are called redox reactions and include combustion and "
    "corrosion.",
    "Avogadro's number, approximately 6.022 times ten to the twenty-third, is the number of particles "
    "in one mole of a substance. The mole lets chemists relate the mass of a sample to the number of "
    "atoms or molecules it contains. One mole of carbon-12 has a mass of about twelve grams.",
    "Rust is hydrated iron oxide, formed when iron reacts with oxygen in the presence of water. "
    "Dissolved salt accelerates the process by making the water a better conductor of electric "
    "charge. Galvanising steel with a coating of zinc protects it, because the zinc corrodes "
    "preferentially.",
    "For reference, the periodic table arranges elements by increasing atomic number. Elements in the "
    "same vertical column, called a group, share similar chemical properties because they have the "
    "same number of electrons in their outer shell. The horizontal rows are called periods.",
    "Polymers are long molecules made from many repeating units called monomers. Polyethylene, the "
    "most widely produced plastic, is formed by linking thousands of ethylene molecules into chains. "
    "The length and branching of these chains determine whether the material is flexible or rigid.",
    # Register 10: photography technique
    "Aperture refers to the opening in a lens that lets light reach the sensor, expressed as an "
    "f-number. Lower f-numbers mean a wider opening and a shallower depth of field, while higher "
    "f-numbers narrow the opening and keep more of the scene in focus.",
    "The exposure triangle describes how aperture, shutter speed, and ISO interact. Changing one "
    "setting affects the overall exposure, so adjusting another is usually needed to compensate. "
    "Raising ISO brightens an image but also increases visible noise.",
    "Tip: the rule of thirds divides the frame into a three-by-three grid. Placing the subject along "
    "one of the lines or at an intersection often creates a more balanced composition than centring "
    "it. Many cameras can display this grid on the screen or in the viewfinder.",
    "A fast shutter speed such as 1/1000 of a second freezes motion, while a slow speed such as one "
    "second blurs anything moving. Photographers use slow speeds deliberately to smooth flowing water "
    "or draw light trails from passing traffic, usually with the camera mounted on a tripod.",
    "White balance adjusts colours so that neutral tones appear neutral under different light "
    "sources. Tungsten bulbs give off a warm, orange light, while open shade tends to produce a "
    "bluish cast. Setting white balance correctly, or shooting in RAW and adjusting later, keeps "
    "whites accurate.",
    "Note: RAW files store unprocessed data from the camera sensor, while JPEG files are compressed "
    "and processed in camera. RAW files are larger but allow much more flexibility in adjusting "
    "exposure and colour afterwards. JPEGs are ready to share immediately and take up less storage "
    "space.",
    "Focal length, measured in millimetres, determines a lens's angle of view. Short focal lengths "
    "such as 24mm capture a wide scene, while long focal lengths such as 200mm magnify distant "
    "subjects. A 50mm lens on a full-frame camera gives a field of view roughly similar to human "
    "vision.",
    "The histogram is a graph showing the distribution of brightness values in an image. Pixels at "
    "the left represent shadows and those at the right represent highlights. A histogram bunched hard "
    "against the right edge suggests blown highlights that may have lost detail.",
    "Backlighting occurs when the main light source is behind the subject. It can create a glowing "
    "outline around hair or leaves but often leaves the front of the subject underexposed. A "
    "reflector or a touch of fill flash can brighten the shadowed side.",
    "For reference, the golden hour is the period shortly after sunrise and before sunset when the "
    "sun sits low in the sky. Light passes through more of the atmosphere at this angle, producing "
    "soft, warm illumination and long shadows. Many landscape photographers plan shoots around these "
    "times.",
    # Register 11: knitting, sewing and craft instructions
    "Knitting gauge refers to the number of stitches and rows per unit of measurement, usually across "
    "ten centimetres. Patterns specify a gauge so that the finished item matches the intended size. "
    "Knitting a small test swatch first allows the knitter to switch needle sizes if the gauge is "
    "off.",
    "In sewing, the seam allowance is the area between the stitching line and the raw edge of the "
    "fabric. Many commercial garment patterns use a seam allowance of 1.5 centimetres, while quilting "
    "typically uses a quarter inch. Consistent allowances keep pieces aligned when they are joined.",
    "Tip: pre-washing cotton fabric before cutting prevents a finished garment from shrinking "
    "unevenly later. Cotton can shrink several percent in its first wash, especially in warm water. "
    "Pre-washing also removes sizing chemicals that can make new fabric stiff.",
    "The knit stitch and the purl stitch are the two basic stitches in knitting. A purl stitch is "
    "essentially a knit stitch worked from the opposite side. Alternating rows of knit and purl "
    "produces stockinette fabric, while knitting every row produces the ridged texture called garter "
    "stitch.",
    "Fabric grain describes the direction of the threads in woven cloth. The lengthwise grain runs "
    "parallel to the selvedge and has the least stretch, while the bias runs at a forty-five-degree "
    "angle and stretches the most. Pattern pieces are marked with grainline arrows to align them "
    "correctly.",
    "Note: in crochet, terminology differs between the United States and the United Kingdom. A stitch "
    "called single crochet in American patterns is called double crochet in British patterns, and the "
    "mismatch continues up the range. Checking which convention a pattern uses avoids mistakes.",
    "Decoupage involves gluing cut paper images onto a surface and sealing them under layers of "
    "varnish or a specialised glue medium. Thin papers such as printed napkins work well because they "
    "conform to curves. Each layer should dry completely before the next is applied to avoid "
    "wrinkling.",
    "A sewing machine's tension dials control how tightly the upper and lower threads are pulled. "
    "When tension is balanced, the two threads interlock in the middle of the fabric layers. Loops on "
    "the underside usually indicate that the upper tension is too loose.",
    "Blocking is a finishing technique for knitted and crocheted pieces. The item is dampened or "
    "steamed, then pinned to the desired measurements and left to dry. This evens out stitches and "
    "helps lace patterns open up to show their full design.",
    "For reference, embroidery floss usually comes as six thin strands twisted together. Stitchers "
    "separate the strands and use two or three at a time for fine work, or all six for bold lines. "
    "Cutting lengths of about forty-five centimetres reduces tangling and fraying while stitching.",
    # Register 12: office memos / facility notices
    "Notice: the third-floor meeting rooms will be closed on Thursday for carpet replacement. "
    "Bookings for those rooms have been moved to the ground-floor conference suite. Please check the "
    "updated room schedule on the intranet before arriving for any meeting that day.",
    "The main reception desk is staffed from 8:00 a.m. to 6:00 p.m., Monday through Friday. Visitors "
    "arriving outside these hours should use the intercom at the side entrance. All visitors must "
    "sign in and wear a badge while in the building.",
    "Printer queue reminder: large print jobs for the shared printer on level two should be submitted "
    "after 4:00 p.m. to avoid delaying other users. Jobs over one hundred pages can also be sent to "
    "the print room, which offers binding and double-sided printing.",
    "Note: the staff kitchen on the fourth floor is cleaned every Friday afternoon. Items left in the "
    "refrigerator without a name and date will be removed at 3:00 p.m. Reusable containers can be "
    "collected afterwards from the shelf near reception.",
    "Room booking policy: meeting rooms may be reserved for up to two hours at a time through the "
    "online calendar. Recurring bookings require approval from the facilities team. Rooms not claimed "
    "within fifteen minutes of the start time will be released for others to use.",
    "The building's fire alarm system will be tested on Wednesday at 10:00 a.m. The alarm will sound "
    "for about thirty seconds, and no evacuation is required during this test. If the alarm continues "
    "for longer than one minute, please leave by the nearest exit as normal.",
    "Incidentally, the lost property cabinet is located behind the security desk in the main lobby. "
    "Items are held for thirty days before being donated or recycled. Staff can ask security to check "
    "the cabinet at any time during normal building hours.",
    "Parking notice: the east car park will be resurfaced over the coming weekend. Vehicles must be "
    "removed by 7:00 p.m. on Friday, and any remaining cars may be relocated. Overflow parking is "
    "available in the north lot during this period.",
    "The stationery cupboard on level one is now restocked every Monday morning. Requests for items "
    "not normally kept in stock, such as specialised binders or large envelopes, should be submitted "
    "through the facilities request form by the preceding Thursday.",
    "For reference, the building's heating and cooling system runs on a timer from 7:00 a.m. to 7:00 "
    "p.m. on weekdays. Staff working outside these hours can request an extension through the "
    "facilities desk at least one day in advance. Windows on the upper floors are not designed to be "
    "opened.",
    # Register 13: software release notes / changelog entries
    "Version 4.2 introduces a redesigned settings page with grouped categories and a search field. "
    "Exporting reports as spreadsheets is now noticeably faster for large datasets. This release also "
    "fixes an issue where some date fields displayed the wrong time zone after daylight saving "
    "changes.",
    "Release 2.8.1 is a maintenance update. It resolves a crash that occurred when opening files with "
    "very long names and corrects a spacing problem in the sidebar on high-resolution displays. No "
    "new features are included, and existing settings are preserved during the upgrade.",
    "Changes in this version: the default autosave interval has been reduced from ten minutes to two. "
    "The interval can still be adjusted in the preferences menu. The update also removes the legacy "
    "import tool, which has been replaced by the file converter introduced in the previous release.",
    "Note: starting with version 6.0, the application requires a 64-bit operating system. "
    "Installations on 32-bit systems will continue to work but will no longer receive updates. The "
    "minimum required screen resolution has also been raised to 1280 by 720 pixels.",
    "This update adds keyboard shortcuts for switching between open tabs and for duplicating the "
    "selected item. The print preview now shows page numbers and margins. A bug that caused the "
    "application to ignore custom fonts after restarting has been fixed.",
    "Version 3.5 improves synchronisation between devices, so changes made offline are merged more "
    "reliably once a connection is restored. Conflicting edits are now shown side by side for review "
    "instead of being overwritten. Sync logs can be viewed from the account page.",
    "Known issues in this release: thumbnails may take several seconds to appear for folders "
    "containing more than ten thousand images. A workaround is to enable the lightweight preview mode "
    "in the display settings. A fix is planned for the next minor version.",
    "The mobile app now offers dark mode on all screens, including the onboarding pages that "
    "previously remained light. Text contrast has been adjusted throughout to meet accessibility "
    "guidelines. Notifications can now be grouped by project rather than by date.",
    "Deprecated features: the classic toolbar layout will be removed in the next major version. The "
    "customisable toolbar offers the same buttons along with additional options. A migration prompt "
    "will appear the first time the application launches after updating.",
    "For reference, this patch corrects the way the application calculates file sizes on network "
    "drives, which previously reported values twice as large as expected. It also improves loading "
    "speed for projects with many linked assets and updates the bundled spell-check dictionaries.",
    # Register 14: economics concepts explained
    "Opportunity cost is the value of the next best alternative given up when making a choice. If a "
    "city spends its budget on a new bridge, the opportunity cost might be the school or road that "
    "could have been built instead. The concept applies to time as well as money.",
    "Inflation is a general rise in prices across an economy over time, which reduces the purchasing "
    "power of money. Central banks often aim for a low, stable inflation rate, commonly around two "
    "percent per year. They influence inflation mainly by adjusting interest rates.",
    "Supply and demand describe how prices are set in competitive markets. When demand for a product "
    "rises while supply stays constant, prices tend to increase. When supply grows faster than "
    "demand, prices tend to fall until the market reaches a new equilibrium.",
    "Note: gross domestic product, or GDP, measures the total market value of all final goods and "
    "services produced within a country in a given period. Real GDP adjusts for inflation, allowing "
    "more accurate comparisons between years. GDP per capita divides the total by population.",
    "Price elasticity of demand measures how sensitive buyers are to changes in price. Demand for "
    "basic necessities tends to be inelastic, meaning purchases change little when prices rise. "
    "Demand for luxury items is usually more elastic, dropping noticeably when prices increase.",
    "Comparative advantage explains why trade can benefit both parties even when one is better at "
    "producing everything. Each party gains by specialising in what it produces at the lowest "
    "opportunity cost and trading for the rest. The idea underpins much of international trade "
    "theory.",
    "A public good is both non-excludable and non-rivalrous. Non-excludable means people cannot "
    "easily be prevented from using it, and non-rivalrous means one person's use does not reduce "
    "availability for others. Street lighting and national defence are common textbook examples.",
    "Economies of scale occur when the average cost of producing each unit falls as output increases. "
    "Large manufacturers can spread fixed costs such as machinery and research over more units and "
    "often negotiate lower prices for raw materials. Beyond a certain size, however, costs may rise "
    "again.",
    "For reference, a monopoly exists when a single firm is the only seller of a product with no "
    "close substitutes. Without competition, the firm can set prices above the level a competitive "
    "market would produce. Governments sometimes regulate monopolies or promote competition to limit "
    "this effect.",
    "Marginal utility is the additional benefit gained from consuming one more unit of a good. "
    "According to the principle of diminishing marginal utility, each additional unit typically adds "
    "less than the one before. This helps explain why demand curves slope downward.",
    # Register 15: architecture and building materials
    "Concrete is strong in compression but weak in tension, so it is often reinforced with steel bars "
    "known as rebar. The steel carries tensile forces while the concrete resists crushing. The two "
    "materials expand at similar rates with temperature changes, which helps them work together.",
    "A cantilever is a structural element anchored at only one end, such as a balcony projecting from "
    "a wall. The anchored end must resist both the downward load and the rotational force that would "
    "otherwise tip the element over. Cantilevers allow overhangs without columns beneath them.",
    "Note: cross-laminated timber is made by gluing layers of lumber together with the grain of each "
    "layer at right angles to the one beneath it. The resulting panels are strong and dimensionally "
    "stable, and they can be used for walls, floors, and roofs in multi-storey buildings.",
    "Brick bonds describe the patterns in which bricks are laid. In a stretcher bond, all bricks show "
    "their long faces, with each course offset by half a brick. English and Flemish bonds mix long "
    "faces with short ends, called headers, to tie thicker walls together.",
    "An arch carries loads by directing them outward and downward along its curve into the piers at "
    "each side. The wedge-shaped stone at the top is called the keystone. Because the forces push "
    "outward, arches need solid abutments or buttresses to prevent them from spreading.",
    "Insulation materials are rated by their thermal resistance, often expressed as an R-value. A "
    "higher R-value means the material resists heat flow more effectively. Common insulating "
    "materials include mineral wool, expanded polystyrene, and cellulose made from recycled paper.",
    "A curtain wall is an outer skin of a building that carries only its own weight and wind loads, "
    "not the floors or roof. Glass and aluminium curtain walls are common on office towers. Because "
    "they are non-structural, they can be made thin and largely transparent.",
    "For reference, a load-bearing wall carries the weight of floors or a roof above it down to the "
    "foundation. Removing or altering such a wall requires a beam or other structure to take over "
    "that load. Partition walls, by contrast, only divide space and carry no significant weight.",
    "Glulam, short for glued laminated timber, consists of many thin layers of wood bonded together "
    "to form large beams. It can be manufactured in curved shapes and spans far longer than solid "
    "timber of the same depth. It is often used for exposed roof beams in halls and sports buildings.",
    "Damp-proof courses are horizontal barriers built into masonry walls just above ground level. "
    "Made from materials such as bitumen felt or plastic sheeting, they prevent moisture from rising "
    "up through the brickwork by capillary action. Without one, walls can develop persistent damp "
    "patches.",
    # Register 16: word etymology
    "The word \"salary\" comes from the Latin \"salarium,\" which is connected to \"sal,\" meaning salt. "
    "The exact link is debated, but the term came to mean a regular payment for work. The same Latin "
    "root appears in English words such as \"saline.\"",
    "\"Alphabet\" comes from the names of the first two letters of the Greek alphabet, alpha and beta. "
    "The Greek letter names were themselves adapted from earlier Phoenician names. A similar pattern "
    "appears in \"abecedarian,\" which is built from the first four letters of the Latin alphabet.",
    "The word \"muscle\" comes from the Latin \"musculus,\" meaning little mouse. The name is thought to "
    "reflect the resemblance of a flexing muscle under the skin to a small mouse moving. The same "
    "Latin word also gave rise to \"mussel,\" the name of the shellfish.",
    "Note: \"disaster\" is built from Latin-derived parts meaning \"bad star.\" The word reflects an old "
    "belief that the positions of stars and planets influenced events on Earth. Related roots meaning "
    "star appear in words such as \"astronomy\" and \"asterisk.\"",
    "The word \"robot\" comes from the Czech \"robota,\" meaning forced labour or drudgery. It was "
    "introduced in a play by the writer Karel Capek and spread quickly into other languages. Today it "
    "refers to any machine capable of carrying out tasks automatically.",
    "\"Nice\" has shifted meaning dramatically. It comes from the Latin \"nescius,\" meaning ignorant, "
    "and in early English it meant foolish or simple. Over several centuries it passed through senses "
    "such as precise and delicate before settling on its modern meaning of pleasant.",
    "The word \"clue\" developed from \"clew,\" an older word for a ball of thread or yarn. Because a "
    "thread could be followed to find a way out of a maze, the word came to mean anything that points "
    "toward a solution. The original spelling survives in sailing terminology.",
    "For reference, \"window\" comes from the Old Norse \"vindauga,\" literally meaning wind eye. Early "
    "buildings often had simple openings in the roof or walls that let in air and light. The word "
    "replaced the Old English \"eagthyrel,\" which meant eye hole.",
    "The word \"hazard\" is thought to come from an Arabic term for a die used in games of chance, "
    "passing into English through Old French. It originally named a dice game before taking on its "
    "broader meaning of risk or danger.",
    "The word \"galaxy\" comes from the Greek \"galaxias,\" derived from \"gala,\" meaning milk. It "
    "originally referred to the Milky Way, whose pale band across the night sky resembled spilled "
    "milk. A related root gives Latin \"lac,\" the source of English \"lactose.\"",
    # Register 17: insect and plant biology
    "Lichens are not single organisms but partnerships between a fungus and an alga or a "
    "cyanobacterium. The fungus provides structure and holds moisture, while the partner makes sugars "
    "by photosynthesis. Many lichens grow only a millimetre or two a year, so a large patch on a "
    "gravestone can be decades old.",
    "Stomata are tiny pores on the underside of most leaves, each bordered by two guard cells. The "
    "guard cells swell to open the pore and shrink to close it, balancing the intake of carbon "
    "dioxide against the loss of water vapour. On a hot afternoon many plants close them partly.",
    "Insects breathe through small openings along their bodies called spiracles. Air travels from the "
    "spiracles through a network of tubes, called tracheae, directly to the tissues. This system "
    "limits how large insects can grow, since oxygen must diffuse along the tubes.",
    "Note: stomata are tiny pores, mostly on the undersides of leaves, that open and close to "
    "regulate gas exchange. Each pore is flanked by two guard cells that change shape as they take in "
    "or lose water. Closing the stomata reduces water loss but also limits carbon dioxide intake.",
    "Butterflies and moths undergo complete metamorphosis, passing through four stages: egg, larva, "
    "pupa, and adult. The larva, or caterpillar, feeds and grows before forming a pupa. Inside the "
    "pupa, much of the larval body is broken down and reorganised into the adult form.",
    "Many plants bend their stems in response to light, a behaviour called phototropism. A hormone "
    "called auxin accumulates on the shaded side of the stem, causing cells there to elongate faster. "
    "The uneven growth turns the stem toward the light source.",
    "Ants follow chemical trails laid down by other members of their colony. A forager returning from "
    "a food source deposits pheromones that guide others along the same path. As more ants use the "
    "route, the trail is reinforced, while unused trails fade as the chemicals evaporate.",
    "For reference, xylem and phloem are the two main transport tissues in vascular plants. Xylem "
    "carries water and dissolved minerals upward from the roots, while phloem distributes sugars "
    "produced in the leaves to other parts of the plant. Together they form bundles that run through "
    "stems and leaves.",
    "Dragonflies are among the most effective aerial predators in the insect world. Their four wings "
    "can move independently, allowing them to hover, fly backward, and change direction rapidly. "
    "Their large compound eyes contain tens of thousands of individual lenses that give a nearly "
    "complete field of view.",
    "Carnivorous plants such as the Venus flytrap grow in nutrient-poor soils and obtain nitrogen by "
    "digesting insects. The trap closes when trigger hairs on its inner surface are touched twice "
    "within a short interval. This double trigger keeps it from closing on falling debris.",
    # Register 18: ocean and marine life facts
    "Octopuses have three hearts. Two pump blood through the gills, while the third circulates it to "
    "the rest of the body. Their blood contains a copper-based protein called hemocyanin, which gives "
    "it a blue colour and carries oxygen efficiently in cold water.",
    "The deepest known point in the ocean is the Challenger Deep in the Mariana Trench, at roughly "
    "eleven kilometres below sea level. The water pressure there is more than a thousand times that "
    "at the surface. Only a handful of crewed vessels have reached the bottom.",
    "Coral reefs are built by tiny animals called polyps, which secrete calcium carbonate skeletons. "
    "Many reef-building corals host symbiotic algae inside their tissues that provide nutrients "
    "through photosynthesis. When water temperatures rise too high, corals expel the algae and turn "
    "white, an effect known as bleaching.",
    "Note: tides are caused mainly by the gravitational pull of the Moon, with a smaller contribution "
    "from the Sun. Most coastlines experience two high tides and two low tides roughly every "
    "twenty-four hours and fifty minutes. Spring tides, with the greatest range, occur around full "
    "and new moons.",
    "Sharks have no bones; their skeletons are made of cartilage. Many species must keep swimming to "
    "push water over their gills, although some, such as the nurse shark, can pump water while "
    "resting. Sharks continually shed and replace their teeth throughout their lives.",
    "Bioluminescence is the production of light by living organisms through a chemical reaction. In "
    "the deep ocean, where sunlight does not reach, a large share of animals can produce light. They "
    "use it to attract prey, confuse predators, or signal to members of their own species.",
    "Sea otters often float on their backs and use rocks as tools to crack open shellfish. They have "
    "the densest fur of any mammal, with up to a million hairs per square inch in some areas. Unlike "
    "most marine mammals, they rely on this fur rather than blubber for insulation.",
    "For reference, ocean water is salty mainly because of dissolved sodium and chloride ions. Rivers "
    "carry small amounts of minerals from rocks into the sea, and evaporation removes water while "
    "leaving the salts behind. The average salinity of seawater is about 35 parts per thousand.",
    "Blue whales are the largest animals known to have existed, reaching lengths of around thirty "
    "metres. Despite their size, they feed almost entirely on krill, tiny crustaceans filtered from "
    "the water through baleen plates. An adult can eat several tonnes of krill in a single day.",
    "Kelp forests grow in cool, nutrient-rich coastal waters. Giant kelp can grow up to half a metre "
    "in a single day, anchored to rocks by a root-like structure called a holdfast. Gas-filled "
    "bladders keep the fronds buoyant so they can reach sunlight near the surface.",
    # Register 19: woodworking and DIY tool use
    "When cutting with a handsaw, the saw is typically held at roughly 45 degrees for crosscuts and "
    "closer to 60 degrees for rip cuts. Starting with a few gentle backward strokes creates a groove "
    "that keeps the blade from wandering. Letting the saw's weight do the work gives a straighter "
    "line.",
    "Pilot holes prevent wood from splitting when driving screws, especially near the ends of boards "
    "or in hardwoods. The drill bit for a pilot hole should match the diameter of the screw's core, "
    "not its threads. A countersink bit creates a recess so the screw head sits flush.",
    "Tip: sandpaper grit numbers indicate the size of the abrasive particles. Lower numbers such as "
    "60 or 80 remove material quickly, while higher numbers such as 180 or 220 produce a smooth "
    "finish. Working through the grits in sequence removes the scratches left by the previous one.",
    "Wood moves as it absorbs and releases moisture, expanding and contracting mostly across the "
    "grain rather than along its length. Furniture makers account for this by allowing panels to "
    "float within frames instead of gluing them rigidly. Ignoring wood movement can lead to cracked "
    "panels and split joints.",
    "Note: a chisel is usually sharpened to a bevel angle of about 25 degrees for general work. A "
    "secondary micro-bevel a few degrees steeper makes the edge more durable and quicker to "
    "resharpen. Chisels should be stored with their edges protected to avoid chipping.",
    "A spirit level contains a slightly curved vial of liquid with an air bubble. When the bubble "
    "rests exactly between the two marked lines, the surface is level. To check the tool itself, take "
    "a reading, rotate the level end to end, and confirm the bubble sits in the same place.",
    "Wood glue forms a joint stronger than the wood itself when surfaces fit closely and are clamped "
    "firmly. Excess glue that squeezes out should be removed before it dries, since dried glue blocks "
    "stains and finishes. Most polyvinyl acetate glues need about an hour of clamping time.",
    "The mortise and tenon is one of the strongest woodworking joints. A tenon, a tongue cut on the "
    "end of one piece, fits snugly into a mortise, a matching cavity cut into the other. The joint is "
    "commonly used in tables, chairs, and door frames.",
    "For reference, a stud finder locates the wooden or metal framing behind drywall by detecting "
    "changes in density or by sensing metal fasteners. Studs are typically spaced at regular "
    "intervals, often 400 millimetres or 16 inches apart, so finding one makes it easier to locate "
    "the next.",
    "Cordless drill drivers usually include a clutch with numbered settings. The clutch slips once a "
    "set amount of torque is reached, preventing screws from being driven too deep or their heads "
    "from stripping. Lower numbers suit small screws in soft materials, while the drill setting "
    "bypasses the clutch entirely.",
    # Register 20: library / archive cataloguing practices
    "The Dewey Decimal Classification organises non-fiction into ten main classes numbered from 000 "
    "to 900. Each class is divided further using decimal numbers, so related subjects are shelved "
    "near one another. For example, the 500s cover natural sciences and mathematics.",
    "Library of Congress Classification uses letters followed by numbers to group materials by "
    "subject. The letter Q, for instance, covers science, and QB narrows that to astronomy. Many "
    "academic libraries prefer this system because it accommodates large and highly specialised "
    "collections.",
    "Note: archival collections are usually arranged according to the principle of provenance, "
    "meaning records created by one person or organisation are kept together. Archivists also try to "
    "preserve the original order in which the creator kept the materials, since that arrangement can "
    "reveal how the records were used.",
    "A call number is the code on a book's spine that identifies its location on the shelf. It "
    "typically combines a classification number with a Cutter number, which represents the author's "
    "surname, and sometimes the year of publication. Books are shelved in call number order.",
    "Metadata in a library catalogue describes an item's title, creator, subject, format, and other "
    "attributes. Standardised schemes such as MARC and Dublin Core allow records to be shared between "
    "institutions. Consistent metadata makes it possible to search large collections reliably.",
    "Controlled vocabularies, such as subject heading lists, ensure that the same topic is always "
    "described with the same terms. Without them, one cataloguer might use \"automobiles\" while "
    "another uses \"cars,\" splitting related materials across different headings. Cross-references "
    "point from unused terms to the preferred ones.",
    "For reference, a finding aid is a document describing the contents and structure of an archival "
    "collection. It usually includes a summary of the collection, information about its creator, and "
    "a box-by-box or folder-level inventory. Finding aids help researchers decide which boxes to "
    "request.",
    "An ISBN, or International Standard Book Number, identifies a specific edition and format of a "
    "book. Current ISBNs have thirteen digits, the last of which is a check digit. Hardback, "
    "paperback, and electronic editions of the same title each receive their own number.",
    "Archival materials are often stored in acid-free folders and boxes because ordinary paper and "
    "cardboard release acids over time that make documents brittle. Storage areas are kept at stable "
    "temperature and humidity levels, and light exposure is limited to slow fading.",
    "Weeding is the process of removing items from a library collection. Books may be withdrawn "
    "because they are outdated, damaged, duplicated, or rarely borrowed. Regular weeding keeps "
    "shelves usable and ensures the collection reflects current information and the needs of its "
    "users.",
)

_SECOND: tuple[str, ...] = (
    # Audit register 1: airport and airline procedures
    "Checked baggage is screened by automated scanners after it leaves the check-in counter, then "
    "sorted by conveyor onto carts for each flight. Each bag receives a tag with a barcode and a "
    "three-letter code for its destination airport. These codes let handlers route luggage through "
    "connecting flights.",
    "Note: boarding passes usually list a boarding group or zone. Airlines board passengers in a set "
    "order, often starting with those needing extra time, followed by premium cabins and then general "
    "boarding by group. The gate typically closes ten to twenty minutes before the scheduled "
    "departure time.",
    "Before pushback, the cabin crew perform a safety demonstration covering seat belts, oxygen "
    "masks, life vests, and emergency exits. Passengers seated in exit rows must be willing and able "
    "to operate the exit door if required. Crew members confirm this verbally before departure.",
    "Carry-on liquids at many airports are limited to containers of 100 millilitres or less, placed "
    "together in a single clear resealable bag. The bag is usually removed from hand luggage and "
    "screened separately. Some airports with newer scanners allow liquids to remain inside bags.",
    "For reference, airline flight numbers combine a two-character carrier code with a number of up "
    "to four digits. The carrier code identifies the airline, such as BA or LH. Codeshare flights may "
    "appear under several flight numbers from different airlines, even though only one aircraft "
    "operates the route.",
    "Air traffic control divides a flight into phases managed by different controllers. Ground "
    "control handles taxiing, the tower clears aircraft for takeoff and landing, and approach and "
    "en-route centres manage the aircraft while airborne. Pilots switch radio frequencies as they "
    "pass from one sector to the next.",
    "Online check-in usually opens twenty-four hours before departure and lets passengers choose "
    "seats and download a boarding pass. Passengers with checked luggage then drop their bags at a "
    "designated counter. Those on international flights may still need a document check at the "
    "airport before proceeding to security.",
    "Aircraft are refuelled between flights from either a fuel truck or an underground hydrant system "
    "connected to the stand. The amount loaded depends on the planned route, the aircraft's weight, "
    "alternate airports, and required reserves. The captain reviews and signs off on the final fuel "
    "figure before departure.",
    # Audit register 2: coffee and tea brewing methods
    "Espresso is brewed by forcing hot water through finely ground, compacted coffee at high "
    "pressure, typically around nine bars. A standard double shot uses about eighteen grams of coffee "
    "and takes twenty-five to thirty seconds to extract. The layer of foam on top is called crema.",
    "Green tea is generally brewed with water below boiling, often between 70 and 80 degrees Celsius. "
    "Water that is too hot extracts bitter compounds from the leaves. Black tea, by contrast, is "
    "usually brewed with water at or near a full boil.",
    "Note: grind size should match the brewing method. French press coffee uses a coarse grind "
    "because the grounds steep for several minutes, while espresso requires a fine grind for its "
    "short, pressurised extraction. A grind that is too fine for a given method tends to produce "
    "over-extracted, bitter coffee.",
    "Pour-over brewing involves pouring hot water slowly over coffee grounds held in a paper or metal "
    "filter. Many brewers begin with a short bloom, wetting the grounds and pausing about thirty "
    "seconds to let trapped carbon dioxide escape. The rest of the water is then added in slow, "
    "steady pours.",
    "Oolong tea is partially oxidised, placing it between green and black teas. Depending on the "
    "style, oxidation can range from light to quite heavy, producing flavours from floral to roasted. "
    "The leaves are often rolled into tight balls that unfurl during brewing and can be steeped "
    "several times.",
    "Cold brew coffee is made by steeping coarse grounds in room-temperature or cold water for twelve "
    "to twenty-four hours. The long, cool extraction produces a concentrate with lower acidity than "
    "hot-brewed coffee. It is usually diluted with water or milk before drinking.",
    "For reference, the ratio of coffee to water strongly affects strength. A common starting point "
    "for drip and pour-over methods is about one gram of coffee to sixteen or seventeen grams of "
    "water. Weighing both on a scale gives more consistent results than measuring by volume.",
    "Matcha is made from shade-grown tea leaves that are steamed, dried, and stone-ground into a fine "
    "powder. Unlike steeped tea, the powder is whisked directly into hot water and consumed whole. A "
    "bamboo whisk called a chasen is traditionally used to produce a smooth, frothy surface.",
    # Audit register 3: computer hardware specifications explained
    "A processor's clock speed, measured in gigahertz, indicates how many cycles it completes per "
    "second. However, performance also depends on the number of cores, the amount of cache, and how "
    "much work is done per cycle. A newer chip at a lower clock speed can outperform an older, "
    "faster-clocked one.",
    "RAM, or random-access memory, holds data that the processor is actively using. It is volatile, "
    "meaning its contents are lost when power is removed. Memory modules are described by generation, "
    "such as DDR4 or DDR5, along with capacity and transfer speed in megatransfers per second.",
    "Note: solid-state drives store data in flash memory chips and have no moving parts. Drives using "
    "the NVMe protocol connect through PCI Express lanes and can reach far higher transfer rates than "
    "older SATA drives. Hard disk drives remain cheaper per terabyte for bulk storage.",
    "A graphics card's video memory, or VRAM, stores textures, frame buffers, and other data the "
    "graphics processor needs quickly. Higher resolutions and detailed textures require more of it. "
    "Memory bandwidth, determined by bus width and memory speed, affects how fast that data can be "
    "moved.",
    "Thermal design power, or TDP, describes the amount of heat a processor is expected to produce "
    "under sustained load, measured in watts. Coolers are rated against this figure. A chip may "
    "briefly draw more power than its TDP during short bursts of high activity.",
    "For reference, a power supply's efficiency rating indicates how much of the electricity drawn "
    "from the wall reaches the components rather than being lost as heat. Units certified under the "
    "80 Plus programme must be at least 80 percent efficient at specified loads, with higher tiers "
    "such as Gold and Platinum exceeding that.",
    "Monitor refresh rate, measured in hertz, is the number of times per second the display redraws "
    "the image. Standard monitors run at 60 hertz, while many gaming displays reach 144 hertz or "
    "more. Response time, measured in milliseconds, describes how quickly individual pixels change "
    "colour.",
    "Cache memory is a small, very fast memory built into the processor. It is organised in levels, "
    "with level one being the smallest and fastest and level three being larger and shared among "
    "cores. Keeping frequently used data in cache reduces the time spent waiting on main memory.",
    # Audit register 4: mineral and gemstone facts
    "The Mohs scale ranks minerals by scratch hardness from one to ten. Talc is the softest at one, "
    "while diamond is the hardest at ten. Each mineral can scratch those ranked below it, though the "
    "intervals between steps are not equal in absolute hardness.",
    "Rubies and sapphires are both varieties of the mineral corundum, an aluminium oxide. Trace "
    "amounts of chromium give rubies their red colour, while iron and titanium produce the blue of "
    "most sapphires. Gem corundum of any colour other than red is classed as sapphire.",
    "Note: diamond and graphite are both made entirely of carbon, yet they differ greatly in "
    "properties. In diamond, each carbon atom bonds to four others in a rigid three-dimensional "
    "lattice, while graphite forms flat sheets that slide easily over one another. This is why "
    "graphite works as a lubricant and pencil core.",
    "Quartz is one of the most abundant minerals in Earth's crust, composed of silicon and oxygen. "
    "Coloured varieties include purple amethyst, yellow citrine, and pink rose quartz. Quartz "
    "crystals are also piezoelectric, producing a small voltage when squeezed, which makes them "
    "useful in watches and electronics.",
    "Gem weight is measured in carats, with one carat equal to 200 milligrams. This is distinct from "
    "karats, which describe the purity of gold. A one-carat diamond is typically around six and a "
    "half millimetres across when cut in the round brilliant style.",
    "Opal is unusual among gemstones because it is not crystalline. It consists of tiny silica "
    "spheres packed in a regular arrangement, with water trapped between them. When light diffracts "
    "through this structure, it produces the shifting flashes of colour known as play-of-colour.",
    "For reference, a mineral's streak is the colour of its powder when rubbed across an unglazed "
    "porcelain tile. Streak can differ sharply from the colour of the mineral itself; hematite can "
    "look black or silver yet leaves a reddish-brown streak. Geologists use streak as a reliable "
    "identification test.",
    "Emeralds are a green variety of beryl, coloured by traces of chromium or vanadium. Most natural "
    "emeralds contain visible inclusions, which traders call jardin. Because of these internal "
    "features, emeralds are commonly treated with oils or resins to improve their apparent clarity.",
    # Audit register 5: railway engineering facts
    "Standard gauge railway track has a distance of 1,435 millimetres between the inner faces of the "
    "rails. It is used on most of the world's railway network. Broad and narrow gauges also exist, "
    "and where they meet, passengers and freight may need to transfer or use special gauge-changing "
    "equipment.",
    "Railway wheels are slightly conical, with the tread sloping down away from the flange. When a "
    "wheelset drifts to one side, the wheel on that side rides on a larger diameter, steering the "
    "axle back toward the centre. This self-centring effect keeps trains on the rails more than the "
    "flanges do.",
    "Note: continuously welded rail is laid in long sections joined by welding rather than bolted "
    "fishplates. It gives a smoother ride and reduces maintenance, but the rail must be installed "
    "under tension at a chosen neutral temperature so that it does not buckle in heat or crack in "
    "cold.",
    "Overhead line equipment delivers electricity to trains through a contact wire suspended above "
    "the track. A pantograph on the train's roof presses upward against the wire to collect current. "
    "The wire is zigzagged slightly from side to side so that it wears the pantograph's carbon strip "
    "evenly.",
    "Railway signalling often divides the line into blocks, with only one train permitted in each "
    "block at a time. Track circuits detect a train's presence by the electrical connection its axles "
    "make between the two rails. Signals at the entrance to each block show whether it is clear.",
    "For reference, railway curves are built with superelevation, meaning the outer rail is raised "
    "above the inner one. This tilts the train inward and counteracts the outward force experienced "
    "on curves. The amount of cant is calculated from the curve radius and the expected line speed.",
    "Ballast is the layer of crushed stone beneath and around the sleepers. It spreads the load from "
    "the sleepers into the ground, allows rainwater to drain away, and holds the track in position. "
    "Angular stones are used because they lock together better than rounded gravel.",
    "Points, also called switches, allow trains to move from one track to another. Movable tapered "
    "rails called switch blades guide the wheels onto the chosen route, while a fixed crossing, or "
    "frog, lets wheels pass where two rails intersect. Points are usually operated by electric motors "
    "controlled from a signal box.",
)

OFFDOMAIN: tuple[str, ...] = _FIRST + _SECOND
