// A seeded generator of realistic Unreal Engine cook log lines: categories, verbosities,
// asset paths and counters that repeat the way a real cook's output does. Same seed, same log.

/** mulberry32: a small, fast, seedable PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FOLDERS = [
  'Environment/Props',
  'Characters/Hero',
  'Characters/NPC',
  'Maps/Arena',
  'UI/Widgets',
  'Audio/SFX',
  'VFX/Impacts',
  'Weapons/Rifle',
  'Materials/Master',
  'Blueprints/Gameplay',
];
const PREFIXES = ['SM_', 'SK_', 'T_', 'M_', 'MI_', 'BP_', 'WBP_', 'NS_', 'SC_', 'ABP_'];
const NOUNS = [
  'Rock',
  'Crate',
  'Door',
  'Barrel',
  'Hero',
  'Grunt',
  'Muzzle',
  'Spark',
  'Wall',
  'Floor',
  'Button',
  'Footstep',
  'Tree',
  'Lamp',
];
const PLATFORMS = ['Windows', 'PS5', 'XSX', 'Linux'];
const SHADER_FORMATS = ['PCD3D_SM6', 'PCD3D_SM5', 'SF_VULKAN_SM6'];

export function cookLog(seed, count) {
  const rand = random(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const int = (max) => Math.floor(rand() * max);
  const asset = () => `/Game/${pick(FOLDERS)}/${pick(PREFIXES)}${pick(NOUNS)}_${String(int(40)).padStart(2, '0')}`;
  const platform = pick(PLATFORMS);
  let cooked = 0;
  const total = 40_000 + int(20_000);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const roll = rand();
    let level = 'info';
    let message;
    if (roll < 0.35) {
      message = `LogCook: Display: Cooking ${asset()} for ${platform}`;
      cooked++;
    } else if (roll < 0.55) {
      message = `LogSavePackage: Moving output files for package: ${asset()}`;
    } else if (roll < 0.68) {
      message = `LogShaderCompilers: Display: Shaders left to compile ${int(20_000)} (${pick(SHADER_FORMATS)})`;
    } else if (roll < 0.78) {
      message = `LogCook: Display: Cooked packages ${cooked} Packages Remain ${Math.max(0, total - cooked)} Total ${total}`;
    } else if (roll < 0.86) {
      level = 'debug';
      message = `LogDerivedDataCache: Verbose: Cache hit for ${pick(PREFIXES)}${int(1 << 30)
        .toString(16)
        .toUpperCase()} (${int(500)} KiB) from Local`;
    } else if (roll < 0.93) {
      message = `LogAssetRegistry: Display: Asset registry cache written as ${int(300)}.${int(10)} MiB to ../../../Saved/Cooked/${platform}/AssetRegistry.bin`;
    } else if (roll < 0.985) {
      level = 'warn';
      message = `LogCook: Warning: ${asset()} references missing asset ${asset()}. Fix up the redirector and resave.`;
    } else {
      level = 'error';
      message = `LogShaderCompilers: Error: Failed to compile material ${asset()} for platform ${pick(SHADER_FORMATS)}: /Engine/Private/BasePassPixelShader.usf(${int(2000)}): error X3004: undeclared identifier 'Frac${int(9)}'`;
    }
    lines.push({ level, message });
  }
  return lines;
}
