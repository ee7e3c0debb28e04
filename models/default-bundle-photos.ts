/**
 * The photographs the default bundle (models/default-bundle) learns from: 36 real photographs
 * shipped in Debian's desktop wallpaper packages, each checked by eye to be a photograph (not a
 * rendering, painting or graphic), none of them in ../shared/data/photos, which is the photo
 * evaluation set. Keeping the two apart is the point: a bundle evaluated on the images it was
 * trained on measures nothing.
 *
 * Licences as the packages' copyright files state them (Debian bookworm); all allow
 * redistribution of derived data such as the dictionaries learned from them.
 */
export interface TrainingPhoto {
  /** Debian package the file comes from */
  readonly debianPackage: string;
  /** path inside the package */
  readonly path: string;
  readonly author: string;
  readonly licence: string;
}

const plasma = (name: string, author: string): TrainingPhoto => ({
  debianPackage: 'plasma-workspace-wallpapers',
  path: `usr/share/wallpapers/${name}/contents/images/2560x1600.jpg`,
  author,
  licence: 'LGPL-3',
});
const lomiri = (file: string, author: string, licence: string): TrainingPhoto => ({
  debianPackage: 'lomiri-wallpapers-16.04',
  path: `usr/share/backgrounds/${file}`,
  author,
  licence,
});
const mate = (file: string, author: string): TrainingPhoto => ({
  debianPackage: 'mate-backgrounds',
  path: `usr/share/backgrounds/mate/nature/${file}`,
  author,
  licence: 'GPL-2+',
});

export const DEFAULT_BUNDLE_PHOTOS: readonly TrainingPhoto[] = [
  plasma('BytheWater', 'Maciej Wiklo'),
  plasma('ColdRipple', 'Risto Saukonpää'),
  plasma('ColorfulCups', 'Dmitri Popov'),
  plasma('DarkestHour', 'Risto Saukonpää'),
  plasma('EveningGlow', 'Ian Hex'),
  plasma('FallenLeaf', 'Martin Klapetek'),
  plasma('Grey', 'Sigi Sagi'),
  plasma('Kite', 'Risto Saukonpää'),
  plasma('OneStandsOut', 'Risto Saukonpää'),
  plasma('Path', 'Risto Saukonpää'),
  plasma('summer_1am', 'Risto Saukonpää'),
  lomiri('Picture_1A_by_freespace.jpg', 'Trevor "Freespace"', 'CC-BY-4.0'),
  lomiri('Wine_by_Jakkub_Mede.jpg', 'Jakub Mede', 'CC-BY-4.0'),
  lomiri('seeding_by_Clements_Engelhardt.jpg', 'Clemens Engelhardt', 'CC0-1.0'),
  lomiri('aitzgorri_by_Aitzol_Berasategi.jpg', 'Aitzol Berasategi', 'CC-BY-4.0'),
  lomiri('Dragonfly_by_Bolly.jpg', '"Bolly"', 'CC-BY-SA-4.0'),
  lomiri('friends_by_Aitzol_Berasategi.jpg', 'Aitzol Berasategi', 'CC-BY-4.0'),
  lomiri('sunset_by_Aitzol_Berasategi.jpg', 'Aitzol Berasategi', 'CC-BY-4.0'),
  lomiri('free_by_Peter_Nerlich.jpg', 'Peter Nerlich', 'CC-BY-SA-4.0'),
  lomiri('picosdeeuropa_by_Aitzol_Berasategi.jpg', 'Aitzol Berasategi', 'CC-BY-4.0'),
  lomiri('Picture_0B_by_freespace.jpg', 'Trevor "Freespace"', 'CC-BY-4.0'),
  lomiri('life_by_Aitzol_Berasategi.jpg', 'Aitzol Berasategi', 'CC-BY-4.0'),
  lomiri('Bridge_by_Sander_Klootwijk.jpg', 'Sander Klootwijk', 'CC-BY-SA-4.0'),
  mate('Garden.jpg', 'Charles Barbin'),
  mate('Dune.jpg', 'Marco Cogoni, Hylke Bons'),
  mate('Wood.jpg', 'Jean-François Fortin Tam'),
  mate('Aqua.jpg', 'Charles Barbin'),
  mate('TwoWings.jpg', 'Charles Barbin, Hylke Bons'),
  mate('Storm.jpg', 'Sergey Nazarov'),
  mate('GreenMeadow.jpg', 'Timothy Schellhase, Lapo Calamandrei'),
  mate('RainDrops.jpg', '"blackcombwhistler07"'),
  mate('Blinds.jpg', 'Lennart Poettering, Andrea Cimitan'),
  mate('FreshFlower.jpg', 'Jens Ansorg'),
  mate('LadyBird.jpg', 'Charles Barbin'),
  mate('YellowFlower.jpg', 'Charles Barbin'),
  {
    debianPackage: 'lomiri-wallpapers-20.04',
    path: 'usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg',
    author: 'Lukas Baubkus',
    licence: 'CC-BY-SA-3.0',
  },
];
