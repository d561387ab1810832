/**
 * Classes of data a cell may hold, strictest first: My Number (特定個人情報),
 * other personal data, general data. A service is certified per class. The
 * classes and their profiles are the requirements catalogue's.
 */
export { DATA_CLASSES, isDataClass, type DataClass } from '../catalog/profiles.js';
