// Checkpoint IO: safetensors, PyTorch .pth (zip + pickle), PyTorch <-> TF.js layouts.
export * from './errors';
export * from './dtype';
export * from './float16';
export {
  type RawTensor,
  type RawTypedArray,
  checkRawTensor,
  isRawTensor,
  rawFromTypedArray,
  rawToFloat32Array,
  rawToInt32Array,
  rawToNumberArray,
  rawToTensor,
  rawToTypedArray,
  tensorToRaw,
} from './raw-tensor';
export {
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
  MAX_SAFETENSORS_HEADER_BYTES,
  SAFETENSORS_METADATA_KEY,
} from './safetensors-header';
export type { SafetensorsInput, SafetensorsInputs, TypedTensorData } from './safetensors-input';
export { SafetensorsFile } from './safetensors-file';
export * from './safetensors-bytes';
export * from './safetensors-io';
export * from './layout';
export { type ZipEntry, ZipReader } from './zip-reader';
export { NOT_HANDLED, PickleDict, PickleGlobal, PickleObject, type UnpickleOptions, unpickle } from './pickle';
export { type PthStorage, PthTensorRef, TORCH_STORAGE_DTYPES, describePickled } from './torch-pickle';
export * from './pth-file';
export * from './pth-convert';
