// Jest runs this after the framework is set up in each test file (setupFilesAfterEnv).
import { removeTempDirs } from './temp-dir';

afterAll(removeTempDirs);
